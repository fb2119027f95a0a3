using System.Text.Json;
using System.Text.Json.Serialization;
using Orleans.Storage;

namespace IndustryBrain.Silo.Storage;

/// <summary>
/// Grain state as plain System.Text.Json: no type names in the stored document, so renaming a type
/// never breaks stored state. Used by the embedded store and by the Redis provider alike.
/// </summary>
public sealed class StateJson : IGrainStorageSerializer
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public BinaryData Serialize<T>(T? input) => new(JsonSerializer.SerializeToUtf8Bytes(input, Options));

    public T Deserialize<T>(BinaryData input) => JsonSerializer.Deserialize<T>(input.ToMemory().Span, Options)!;
}
