using System.Globalization;
using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Codes;

/// <summary>
/// Data templates (数据模板): the shipped ones for knives, scissors and locks, and the rules every registered
/// identifier's attributes are checked by. Industry codes are GB/T 4754-2017 classes.
/// </summary>
public static class CodeTemplates
{
    public static class Types
    {
        public const string Text = "text";
        public const string Number = "number";
        public const string Integer = "integer";
        public const string Date = "date";
        public const string Boolean = "boolean";

        public static bool IsKnown(string? type) => type is Text or Number or Integer or Date or Boolean;
    }

    public const int MaxAttributes = 40;
    public const int MaxTextLength = 200;

    public static readonly CodeTemplate Knives = new("knives", 1, "刀具", "Knives", "3324",
    [
        new("bladeSteel", Types.Text, null, true, null, null, "刃口钢材", "Blade steel"),
        new("bladeLength", Types.Number, "mm", true, 20, 600, "刃长", "Blade length"),
        new("hardness", Types.Number, "HRC", false, 40, 70, "硬度", "Hardness"),
        new("handle", Types.Text, null, false, null, null, "刀柄", "Handle"),
        new("standard", Types.Text, null, false, null, null, "执行标准", "Standard"),
    ]);

    public static readonly CodeTemplate Scissors = new("scissors", 1, "剪刀", "Scissors", "3324",
    [
        new("bladeSteel", Types.Text, null, true, null, null, "刃口钢材", "Blade steel"),
        new("length", Types.Number, "mm", true, 50, 400, "全长", "Overall length"),
        new("hardness", Types.Number, "HRC", false, 40, 70, "硬度", "Hardness"),
        new("standard", Types.Text, null, false, null, null, "执行标准", "Standard"),
    ]);

    public static readonly CodeTemplate Locks = new("locks", 1, "锁具", "Locks", "3351",
    [
        new("lockType", Types.Text, null, true, null, null, "锁具类型", "Lock type"),
        new("securityGrade", Types.Text, null, true, null, null, "防盗等级", "Security grade"),
        new("keyCombinations", Types.Integer, null, false, 1, 1_000_000_000_000, "钥匙牙花数", "Key combinations"),
        new("material", Types.Text, null, false, null, null, "锁体材质", "Body material"),
        new("standard", Types.Text, null, false, null, null, "执行标准", "Standard"),
    ]);

    public static readonly CodeTemplate[] Shipped = [Knives, Scissors, Locks];

    /// <summary>Null when the template itself is well made; otherwise why not.</summary>
    public static string? TemplateProblem(CodeTemplate? template)
    {
        if (template is null)
        {
            return "the template is missing";
        }

        if (Ids.Problem(template.Id, "id") is { } id)
        {
            return id;
        }

        if (string.IsNullOrWhiteSpace(template.Name) || template.Name.Length > 100 || string.IsNullOrWhiteSpace(template.NameEn) || template.NameEn.Length > 100)
        {
            return "name and nameEn must be 1 to 100 characters";
        }

        if (template.IndustryCode is not { Length: >= 1 and <= 4 } code || !code.All(char.IsAsciiDigit))
        {
            return "industryCode must be a GB/T 4754 code of 1 to 4 digits";
        }

        if (template.Attributes is null || template.Attributes.Length is 0 or > MaxAttributes)
        {
            return $"a template has 1 to {MaxAttributes} attributes";
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in template.Attributes)
        {
            if (a is null)
            {
                return "an attribute is missing";
            }

            if (Ids.Problem(a.Name, "attribute name") is { } name)
            {
                return name;
            }

            if (!names.Add(a.Name))
            {
                return $"attribute '{a.Name}' appears twice";
            }

            if (!Types.IsKnown(a.Type))
            {
                return $"attribute '{a.Name}' has type '{a.Type}': one of text, number, integer, date, boolean";
            }

            if ((a.Min is not null || a.Max is not null) && a.Type is not (Types.Number or Types.Integer))
            {
                return $"attribute '{a.Name}': min and max are for numbers";
            }

            if (a.Min is { } min && a.Max is { } max && min > max)
            {
                return $"attribute '{a.Name}': min is above max";
            }

            if (a.Unit is { Length: > 20 } || a.Label is { Length: > 100 } || a.LabelEn is { Length: > 100 })
            {
                return $"attribute '{a.Name}': unit is at most 20, labels at most 100 characters";
            }
        }

        return Texts.Problem((template.Name, "name"), (template.NameEn, "nameEn"));
    }

    /// <summary>Null when <paramref name="values"/> fit the template; otherwise the first violation, naming the attribute.</summary>
    public static string? Violation(CodeTemplate template, IReadOnlyDictionary<string, string>? values)
    {
        values ??= new Dictionary<string, string>();
        foreach (var name in values.Keys)
        {
            if (!template.Attributes.Any(a => a.Name == name))
            {
                return $"attribute '{Shown(name)}' is not in template {template.Id} v{template.Version}";
            }
        }

        foreach (var a in template.Attributes)
        {
            if (!values.TryGetValue(a.Name, out var value) || string.IsNullOrWhiteSpace(value))
            {
                if (a.Required)
                {
                    return $"attribute '{a.Name}' is required by template {template.Id} v{template.Version}";
                }

                continue;
            }

            if (ValueProblem(a, value) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? ValueProblem(TemplateAttribute a, string value)
    {
        switch (a.Type)
        {
            case Types.Text:
                return value.Length > MaxTextLength || Texts.Problem((value, a.Name)) is not null
                    ? $"attribute '{a.Name}' must be text of at most {MaxTextLength} characters"
                    : null;
            case Types.Date:
                return DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                    ? null
                    : $"attribute '{a.Name}' must be a date yyyy-MM-dd";
            case Types.Boolean:
                return value is "true" or "false" ? null : $"attribute '{a.Name}' must be true or false";
            default:
                if (!decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
                    || (a.Type == Types.Integer && number != decimal.Truncate(number)))
                {
                    return $"attribute '{a.Name}' must be {(a.Type == Types.Integer ? "a whole number" : "a number")}";
                }

                if (a.Min is { } min && number < min)
                {
                    return $"attribute '{a.Name}' is {value}{a.Unit}, below the minimum {min}{a.Unit}";
                }

                return a.Max is { } max && number > max ? $"attribute '{a.Name}' is {value}{a.Unit}, above the maximum {max}{a.Unit}" : null;
        }
    }

    private static string Shown(string value) => value.Length <= 64 ? value : value[..64] + "...";
}
