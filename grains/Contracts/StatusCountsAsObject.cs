using System.Text.Json;
using System.Text.Json.Serialization;

namespace IndustryBrain.Contracts;

/// <summary>Order counts by status as the contract's <c>ordersByStatus</c> object, every status present (<see cref="StatusCounts.ToDictionary"/>).</summary>
public sealed class StatusCountsAsObject : JsonConverter<StatusCounts>
{
    public override StatusCounts Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var counts = JsonSerializer.Deserialize<Dictionary<string, int>>(ref reader, options) ?? [];
        return OrderStatuses.All.Aggregate(StatusCounts.Zero, (sum, status) => sum.With(status, counts.GetValueOrDefault(status)));
    }

    public override void Write(Utf8JsonWriter writer, StatusCounts value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value.ToDictionary(), options);
}
