using System.Collections;
using System.Globalization;
using Engine;

namespace WeightConverter.Rules;

/// <summary>
/// The settings of one conversion, each decided once with its source: the file's own config wins, a flag
/// fills what the file does not say (and may not contradict it), then the family's rule or a default,
/// which is a warning.
/// </summary>
internal sealed class Derivation(string path)
{
    private readonly List<Setting> _settings = [];

    public string Path { get; } = path;

    public IReadOnlyList<Setting> Settings => _settings;

    public IEnumerable<Setting> Warnings => _settings.Where(s => s.Source == SettingSource.Default);

    /// <summary>Decides <paramref name="name"/>: the file's value, else the flag's, else <paramref name="otherwise"/>.</summary>
    public T Decide<T>(string name, Choice<T>? file, Choice<T>? flag, Choice<T> otherwise)
    {
        if (file is { } f && flag is { } g && Text(f.Value) != Text(g.Value))
            throw new EngineException($"{Path}: {g.Detail} {Text(g.Value)} contradicts the checkpoint's config ({f.Detail} = {Text(f.Value)}).");
        return Record(name, file ?? flag ?? otherwise);
    }

    /// <summary>Records a setting fixed by one source.</summary>
    public T Record<T>(string name, Choice<T> choice)
    {
        _settings.Add(new Setting(name, Text(choice.Value), choice.Source, choice.Detail));
        return choice.Value;
    }

    /// <summary>Refuses a file whose config and weights disagree, or whose config names what the engine lacks.</summary>
    public EngineException Refuse(string setting, string problem) => new($"{Path}: {setting}: {problem}");

    public static string Text(object? value) => value switch
    {
        null => "none",
        string s => s,
        System.Text.Json.Nodes.JsonNode n => n.ToJsonString(),
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Text)) + "]",
        _ => value.ToString() ?? "",
    };
}
