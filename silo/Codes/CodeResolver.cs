using System.Collections.Concurrent;
using IndustryBrain.Codes;
using IndustryBrain.Contracts;
using IndustryBrain.Silo.Grains;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Codes;

/// <summary>A code looked up: its name, its prefix (null when unknown) and what its range's grain said.</summary>
public sealed record Resolution(CodeName Name, PrefixView? Prefix, CodeLookup Lookup)
{
    public bool Genuine => Lookup.Verdict == CodeVerdicts.Genuine;

    /// <summary>The code is genuine but its firm's prefix is suspended now (no new codes; the page says why).</summary>
    public bool FirmSuspended => Prefix?.State == PrefixStates.Suspended;
}

/// <summary>
/// Resolution and scans, the same whichever syntax named the code (Handle, GS1 Digital Link, the trace page):
/// the prefix must be approved (or suspended since: its codes were issued), the serial inside one of its order's
/// ranges and, when given (always for a scan), the verification code right. Two grain calls: the prefix (kept for a moment,
/// see <see cref="PrefixViews"/>), then the order's codes.
/// </summary>
public sealed class CodeResolver(IGrainFactory grains, VerificationKeyring keyring, PrefixViews prefixes, IOptions<CodeOptions> options, TimeProvider time)
{
    /// <summary>How long a firm's profile (name, shop link) is reused for resolutions before it is asked again.</summary>
    public static readonly TimeSpan ProfileFor = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, (EnterpriseProfile? Profile, DateTimeOffset Until)> _profiles = new(StringComparer.Ordinal);

    public CodeOptions Options => options.Value;

    /// <summary>The firm's profile as resolutions show it, kept for <see cref="ProfileFor"/> (a resolution is a hot path; a renamed firm shows within seconds).</summary>
    public async Task<EnterpriseProfile?> Firm(string enterprise)
    {
        var now = time.GetUtcNow();
        if (_profiles.TryGetValue(enterprise, out var kept) && kept.Until > now)
        {
            return kept.Profile;
        }

        var profile = (await grains.Grain<IEnterpriseGrain>(enterprise).GetView()).Profile;
        if (_profiles.Count > 100_000)
        {
            _profiles.Clear();
        }

        _profiles[enterprise] = (profile, now + ProfileFor);
        return profile;
    }

    /// <summary>Without counting a scan; a given verification code must match.</summary>
    public async Task<Resolution> Resolve(CodeName name, string? code)
    {
        var (prefix, refused) = await Check(name);
        if (refused is not null)
        {
            return refused;
        }

        if (code is not null && !(await keyring.Codes()).Verify(name, code))
        {
            return new Resolution(name, prefix, new CodeLookup(CodeVerdicts.NotIssued, NotIssuedReasons.WrongCode, null, null));
        }

        var lookup = await grains.Grain<ICodeBatchGrain>(CodeKeys.Batch(name.Prefix, name.Order)).Resolve(name.Serial, Options.WarnAfterScans);
        return new Resolution(name, prefix, lookup);
    }

    /// <summary>A scan from a phone: recorded against the code if genuine, counted as suspect otherwise.</summary>
    public async Task<Resolution> Scan(CodeName name, string? code, string? place)
    {
        var (prefix, refused) = await Check(name);
        if (refused is not null)
        {
            return refused;
        }

        var matches = code is not null && (await keyring.Codes()).Verify(name, code);
        var lookup = await grains.Grain<ICodeBatchGrain>(CodeKeys.Batch(name.Prefix, name.Order)).Scan(name.Serial, matches, place, Options.WarnAfterScans);
        return new Resolution(name, prefix, lookup);
    }

    private async Task<(PrefixView? Prefix, Resolution? Refused)> Check(CodeName name)
    {
        var prefix = prefixes.Kept(name.Prefix);
        if (prefix is null)
        {
            prefix = await grains.Grain<ICodePrefixGrain>(name.Prefix).Get();
            prefixes.Keep(name.Prefix, prefix);
        }

        if (prefix is null)
        {
            return (null, new Resolution(name, null, new CodeLookup(CodeVerdicts.NotIssued, NotIssuedReasons.UnknownPrefix, null, null)));
        }

        // A suspended prefix's codes were issued while it was approved: they stay genuine (a shopper holding a real
        // knife must not read "counterfeit"), and the answer carries the suspension for the page to say so.
        return prefix.State is PrefixStates.Approved or PrefixStates.Suspended
            ? (prefix, null)
            : (prefix, new Resolution(name, prefix, new CodeLookup(CodeVerdicts.NotIssued, NotIssuedReasons.PrefixNotApproved, null, null)));
    }
}
