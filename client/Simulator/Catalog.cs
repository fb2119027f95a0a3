using System.Globalization;
using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Client.Simulator;

/// <summary>A product line of the district: its chain node, routing and typical order.</summary>
public sealed record ProductLine(string ChainNode, string Trade, string Code, string Product, decimal UnitPrice, RoutingStep[] Routing);

/// <summary>Plausible firms, products and routings of a hardware district like Dazu.</summary>
public static class Catalog
{
    /// <summary>The knife routing of docs/contract.md, ten steps.</summary>
    public static readonly RoutingStep[] KnifeRouting = Routing(
        "blank:下料,forge:锻打,heat-treat:热处理,rough-grind:粗磨,fine-grind:精磨,edge:开刃,polish:抛光,laser-mark:激光刻码,qc:质检,pack:包装");

    public static readonly RoutingStep[] ScissorsRouting = Routing(
        "blank:下料,stamp:冲压,heat-treat:热处理,grind:磨削,edge:开刃,rivet:铆合,adjust:调剪,polish:抛光,qc:质检,pack:包装");

    public static readonly RoutingStep[] LockRouting = Routing(
        "die-cast:压铸,machine:机加工,plate:电镀,pin-tumbler:装弹子,cylinder:锁芯装配,assemble:总装,key-cut:配钥匙,qc:质检,pack:包装");

    public static readonly ProductLine[] Lines =
    [
        new("knives", "刀具", "KN", "slaughter knife 8in", 38.5m, KnifeRouting),
        new("scissors", "剪刀", "SC", "tailor scissors 10in", 26.8m, ScissorsRouting),
        new("locks", "锁具", "LK", "brass padlock 50mm", 45.0m, LockRouting),
    ];

    private static readonly string[] FirmNames =
        ["巧锋", "龙水", "金刚", "宏达", "利刃", "鑫源", "永固", "精工", "华锐", "三匠", "玉龙", "邮亭", "宝顶", "万古", "铁山", "天工"];

    private static readonly string[] Parks = ["龙水五金产业园", "大足高新区", "邮亭工业园"];

    /// <summary>
    /// "step:name,step:name[:weight],..." as a routing; the name and weight may be left out.
    /// Throws <see cref="FormatException"/> with a sentence when the text is not a routing.
    /// </summary>
    public static RoutingStep[] Routing(string text)
    {
        var steps = new List<RoutingStep>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = part.Split(':', StringSplitOptions.TrimEntries);
            if (fields.Length > 3)
            {
                throw new FormatException($"'{part}' is not step:name[:weight]");
            }

            if (Ids.Problem(fields[0], "routing step") is { } problem)
            {
                throw new FormatException(problem);
            }

            double? weight = null;
            if (fields.Length == 3)
            {
                weight = double.TryParse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var w) && w > 0
                    ? w
                    : throw new FormatException($"weight '{fields[2]}' of step '{fields[0]}' is not a positive number");
            }

            steps.Add(new RoutingStep(fields[0], fields.Length > 1 && fields[1].Length > 0 ? fields[1] : null, weight));
        }

        return steps.Count > 0 ? [.. steps] : throw new FormatException("the routing has no steps");
    }

    public static ProductLine LineOf(int enterprise) => Lines[enterprise % Lines.Length];

    public static string FirmName(int enterprise)
    {
        var name = FirmNames[enterprise % FirmNames.Length];
        var round = enterprise / FirmNames.Length;
        return $"重庆{name}{LineOf(enterprise).Trade}有限公司" + (round == 0 ? "" : $"（{round + 1}厂）");
    }

    public static string Park(int enterprise) => Parks[enterprise % Parks.Length];

    /// <summary>
    /// A valid Unified Social Credit Code for a simulated firm: "91" (enterprise), Dazu's district code
    /// 500111, "MA" and seven characters drawn from the seed, then the GB 32100-2015 check character.
    /// </summary>
    public static string Uscc(ulong seed)
    {
        const string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
        Span<char> body = stackalloc char[17];
        "91500111MA".AsSpan().CopyTo(body);
        var value = seed * 0x9E3779B97F4A7C15UL;
        for (var i = 10; i < 17; i++)
        {
            body[i] = alphabet[(int)(value % (ulong)alphabet.Length)];
            value /= (ulong)alphabet.Length;
        }

        return new string(body) + Domain.Uscc.CheckCharacter(body);
    }
}
