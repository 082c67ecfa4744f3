using System.Text.Json;
using System.Text.Json.Nodes;
using Engine;
using WeightConverter.Config;

namespace WeightConverter.Rules;

/// <summary>
/// The configuration a checkpoint carries (PySlowFast's `cfg`, mmaction2's `meta.cfg` or `meta.config`),
/// read as typed choices whose detail names the key. A value of the wrong type is refused naming the key.
/// </summary>
internal sealed class FileConfig(JsonObject root, string label, string path)
{
    /// <summary>What the config is called in messages, e.g. `cfg` or `meta.cfg`.</summary>
    public string Label { get; } = label;

    public JsonNode? Node(string key) => ConfigPath.Get(root, key);

    public Choice<string>? String(string key) => Read(key, n => n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : null, "a string");

    public Choice<bool>? Bool(string key) => Read<bool?>(key, n => n.GetValueKind() switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    }, "true or false") is { } c ? Choice.File(c.Value!.Value, c.Detail) : null;

    public Choice<int>? Int(string key) => Read<int?>(key, AsInt, "an integer") is { } c ? Choice.File(c.Value!.Value, c.Detail) : null;

    public Choice<int[]>? Ints(string key) => Read(key, n => n is JsonArray a && a.All(e => e is not null && AsInt(e) is not null) ? a.Select(e => AsInt(e!)!.Value).ToArray() : AsInt(n) is { } one ? [one] : null, "a list of integers");

    public Choice<double[]>? Doubles(string key) => Read(key, n => n is JsonArray a && a.All(e => e is not null && AsDouble(e) is not null) ? a.Select(e => AsDouble(e!)!.Value).ToArray() : null, "a list of numbers");

    /// <summary>The detail text of a key, as choices record it.</summary>
    public string Detail(string key) => $"{Label} {key}";

    public EngineException Wrong(string key, string expected) =>
        new($"{path}: {Detail(key)} is {Node(key)?.ToJsonString() ?? "null"}, expected {expected}.");

    private Choice<T>? Read<T>(string key, Func<JsonNode, T?> convert, string expected)
    {
        var node = Node(key);
        if (node is null)
            return null;
        var value = convert(node) ?? throw Wrong(key, expected);
        return Choice.File(value, Detail(key));
    }

    /// <summary>An integer inside a list the caller walks itself; anything else is refused naming the key.</summary>
    public int ToInt(JsonNode? n, string key) => n is not null && AsInt(n) is { } v ? v : throw Wrong(key, "integers");

    private static int? AsInt(JsonNode n) =>
        n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var l) && l is >= int.MinValue and <= int.MaxValue ? (int)l : null;

    private static double? AsDouble(JsonNode n) =>
        n is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? (v.TryGetValue<double>(out var d) ? d : v.TryGetValue<long>(out var l) ? l : null) : null;
}
