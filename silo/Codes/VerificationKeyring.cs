using System.Security.Cryptography;
using System.Text;
using IndustryBrain.Codes;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Codes;

/// <summary>
/// The verification codes of this silo: from Codes:MacKey when it is set, otherwise from the key the node's
/// registry made at first start and keeps in grain storage (the same on every silo of a cluster). Read once.
/// </summary>
public sealed class VerificationKeyring(IGrainFactory grains, IOptions<CodeOptions> options)
{
    private Task<VerificationCodes>? _codes;

    public Task<VerificationCodes> Codes() => _codes ??= Load();

    private async Task<VerificationCodes> Load()
    {
        try
        {
            var configured = options.Value.MacKey;
            var key = configured.Length > 0
                ? SHA256.HashData(Encoding.UTF8.GetBytes(configured))
                : await grains.GetGrain<ICodeRegistryGrain>(Keys.District).VerificationKey();
            return new VerificationCodes(key);
        }
        catch
        {
            _codes = null;
            throw;
        }
    }
}
