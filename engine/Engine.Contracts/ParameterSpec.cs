using System.Globalization;

namespace Engine.Contracts;

/// <summary>
/// A plugin parameter: its name (as used on the CLI, `--param name=value`, and in the JSON settings
/// file), a description, a default and the allowed range or choices. The host validates every value
/// against the spec before the plugin sees it.
/// </summary>
public sealed record ParameterSpec(string Name, string Description, ParameterKind Kind, string Default,
    double Min = double.NegativeInfinity, double Max = double.PositiveInfinity, IReadOnlyList<string>? Choices = null)
{
    public static ParameterSpec Int(string name, string description, int value, int min, int max) =>
        new(name, description, ParameterKind.Int, value.ToString(CultureInfo.InvariantCulture), min, max);

    public static ParameterSpec Float(string name, string description, double value, double min, double max) =>
        new(name, description, ParameterKind.Float, value.ToString(CultureInfo.InvariantCulture), min, max);

    public static ParameterSpec Bool(string name, string description, bool value) =>
        new(name, description, ParameterKind.Bool, value ? "true" : "false");

    public static ParameterSpec Text(string name, string description, string value) =>
        new(name, description, ParameterKind.Text, value);

    public static ParameterSpec Choice(string name, string description, string value, params string[] choices) =>
        new(name, description, ParameterKind.Choice, value, Choices: choices);

    /// <summary>Checks <paramref name="text"/> against the spec; returns the error, or null when it is valid.</summary>
    public string? Validate(string text)
    {
        switch (Kind)
        {
            case ParameterKind.Int:
                if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i))
                    return $"parameter '{Name}': '{text}' is not an integer";
                return i < Min || i > Max ? $"parameter '{Name}': {i} is outside [{Min}, {Max}]" : null;
            case ParameterKind.Float:
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || double.IsNaN(d))
                    return $"parameter '{Name}': '{text}' is not a number";
                return d < Min || d > Max ? $"parameter '{Name}': {d} is outside [{Min}, {Max}]" : null;
            case ParameterKind.Bool:
                return text is "true" or "false" ? null : $"parameter '{Name}': '{text}' is not true or false";
            case ParameterKind.Text:
                return text.Contains('\n', StringComparison.Ordinal) ? $"parameter '{Name}': text must be one line" : null;
            default:
                return Choices is not null && Choices.Contains(text) ? null
                    : $"parameter '{Name}': '{text}' is not one of {string.Join(", ", Choices ?? [])}";
        }
    }

    public string RangeText => Kind switch
    {
        ParameterKind.Int or ParameterKind.Float => $"[{Min.ToString(CultureInfo.InvariantCulture)}, {Max.ToString(CultureInfo.InvariantCulture)}]",
        ParameterKind.Bool => "true|false",
        ParameterKind.Text => "text",
        _ => string.Join("|", Choices ?? []),
    };
}
