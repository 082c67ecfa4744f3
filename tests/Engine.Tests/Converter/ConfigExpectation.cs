using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engine.Tests.Converter;

/// <summary>
/// The config-text fixtures (tests/fixtures/gen_config_texts.py): each case's text and the value
/// Python's own reader gave for it, encoded with types ([tag, payload]) so an int read as a float, a
/// lost NaN or a reordered key fails.
/// </summary>
internal static class ConfigExpectation
{
    public static string Dir => Fixtures.Dir("config_texts");

    /// <summary>The cases of one reader: (case, text, expected).</summary>
    public static IEnumerable<(string Case, string Text, JsonNode Expected)> Cases(string reader)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(Dir, "cases.json")))!.AsArray();
        var cases = manifest.Where(c => (string)c!["reader"]! == reader).ToArray();
        Assert.NotEmpty(cases);
        foreach (var c in cases)
        {
            yield return ((string)c!["case"]!, File.ReadAllText(Path.Combine(Dir, (string)c["text"]!)),
                JsonNode.Parse(File.ReadAllText(Path.Combine(Dir, (string)c["expected"]!)), documentOptions: new JsonDocumentOptions { MaxDepth = 1000 })!);
        }
    }

    /// <summary>Adds a line to <paramref name="failures"/> for each place <paramref name="actual"/> differs from the tagged <paramref name="expected"/>.</summary>
    public static void Compare(JsonNode? actual, JsonNode expected, string path, List<string> failures)
    {
        if (failures.Count >= 20)
            return;
        var tag = (string)expected[0]!;
        var payload = expected.AsArray().Count > 1 ? expected[1] : null;
        switch (tag)
        {
            case "null":
                if (actual is not null)
                    failures.Add($"{path}: expected null, read {actual.ToJsonString()}");
                return;
            case "bool":
                if (actual is not JsonValue b || !b.TryGetValue(out bool flag) || flag != (bool)payload!)
                    failures.Add($"{path}: expected {(bool)payload!}, read {Show(actual)}");
                return;
            case "str":
                if (actual is not JsonValue s || !s.TryGetValue(out string? text) || text != (string)payload!)
                    failures.Add($"{path}: expected string {JsonValue.Create((string)payload!).ToJsonString()}, read {Show(actual)}");
                return;
            case "int":
                var digits = (string)payload!;
                if (long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
                {
                    if (actual is not JsonValue i || !i.TryGetValue(out long l) || l != whole)
                        failures.Add($"{path}: expected int {digits}, read {Show(actual)}");
                }
                else
                {
                    // Python's int has no bound; beyond a long the readers keep the nearest double.
                    var approximate = double.Parse(digits, CultureInfo.InvariantCulture);
                    if (actual is not JsonValue i || !i.TryGetValue(out double d) || Math.Abs(d - approximate) > 1e-15 * Math.Abs(approximate))
                        failures.Add($"{path}: expected int {digits} (as a double), read {Show(actual)}");
                }
                return;
            case "float":
                var want = double.Parse((string)payload!, CultureInfo.InvariantCulture);
                if (actual is not JsonValue f || f.TryGetValue(out long _) || !f.TryGetValue(out double got)
                    || !got.Equals(want) || (!double.IsNaN(want) && double.IsNegative(got) != double.IsNegative(want)))
                    failures.Add($"{path}: expected float {(string)payload!}, read {Show(actual)}");
                return;
            case "list":
                var items = payload!.AsArray();
                if (actual is not JsonArray list || list.Count != items.Count)
                {
                    failures.Add($"{path}: expected a list of {items.Count}, read {Show(actual)}");
                    return;
                }
                for (var k = 0; k < items.Count; k++)
                    Compare(list[k], items[k]!, $"{path}[{k}]", failures);
                return;
            case "map":
                var entries = payload!.AsArray();
                if (actual is not JsonObject map || map.Count != entries.Count)
                {
                    failures.Add($"{path}: expected a mapping of {entries.Count}, read {Show(actual)}");
                    return;
                }
                var k2 = 0;
                foreach (var (key, value) in map)
                {
                    var entry = entries[k2++]!;
                    if (key != (string)entry[0]!)
                        failures.Add($"{path}: key {k2 - 1} is '{key}', expected '{(string)entry[0]!}'");
                    else
                        Compare(value, entry[1]!, $"{path}.{key}", failures);
                }
                return;
            default:
                throw new InvalidDataException($"unknown tag {tag}");
        }
    }

    private static string Show(JsonNode? node)
    {
        if (node is null)
            return "null";
        var text = node is JsonValue v && v.TryGetValue(out double d) && !double.IsFinite(d) ? d.ToString(CultureInfo.InvariantCulture) : node.ToJsonString();
        return text.Length > 80 ? text[..80] + "..." : text;
    }
}
