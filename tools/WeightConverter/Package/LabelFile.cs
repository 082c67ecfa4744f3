using System.Text.Json;
using Engine;

namespace WeightConverter.Package;

/// <summary>
/// Reads class names in the three formats the families ship: one name per line (mmaction2), a JSON
/// object of name -> id (video-nonlocal-net's `classids.json`, PySlowFast's class-name JSON, names
/// possibly in quotes), or a JSON array of names.
/// </summary>
internal static class LabelFile
{
    public static IReadOnlyList<string> Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"{path}: {e.Message}");
        }
        var trimmed = text.TrimStart();
        if (!trimmed.StartsWith('{') && !trimmed.StartsWith('['))
            return text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new EngineException($"{path}: label file is not valid JSON ({e.Message}).");
        }
        using (json)
        {
            if (json.RootElement.ValueKind == JsonValueKind.Array)
                return json.RootElement.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new EngineException($"{path}: label array holds a {e.ValueKind}, expected names.")).ToList();
            var names = new SortedDictionary<int, string>();
            foreach (var entry in json.RootElement.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out var id) || id < 0)
                    throw new EngineException($"{path}: label '{entry.Name}' maps to {entry.Value.GetRawText()}, expected a class id.");
                if (!names.TryAdd(id, entry.Name.Trim('"')))
                    throw new EngineException($"{path}: class id {id} is given to both '{names[id]}' and '{entry.Name}'.");
            }
            if (names.Count > 0 && names.Keys.Last() != names.Count - 1)
                throw new EngineException($"{path}: class ids must run from 0 to {names.Count - 1}; the largest is {names.Keys.Last()}.");
            return names.Values.ToList();
        }
    }
}
