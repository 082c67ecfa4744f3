using System.Globalization;
using System.Text.Json;
using Engine.Contracts;

namespace Engine.Host;

/// <summary>
/// Resolves a plugin's parameter values: its declared defaults, then a JSON settings file
/// (`{"plugin-id": {"name": value, ...}}`), then `name=value` overrides from the command line. Every
/// value is checked against its spec; unknown names are errors that list the known ones.
/// </summary>
public static class PluginSettings
{
    public static ParameterValues Resolve(string pluginId, IReadOnlyList<ParameterSpec> specs, string? settingsFile, IReadOnlyList<string> overrides)
    {
        var values = specs.ToDictionary(s => s.Name, s => s.Default);
        if (settingsFile is not null)
        {
            JsonElement root;
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllText(settingsFile));
                root = document.RootElement.Clone();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
            {
                throw new EngineException($"{settingsFile}: {e.Message}");
            }
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty(pluginId, out var section))
            {
                if (section.ValueKind != JsonValueKind.Object)
                    throw new EngineException($"{settingsFile}: \"{pluginId}\" must be an object of parameter values.");
                foreach (var p in section.EnumerateObject())
                {
                    var text = p.Value.ValueKind switch
                    {
                        JsonValueKind.String => p.Value.GetString()!,
                        JsonValueKind.Number => p.Value.GetDouble().ToString(CultureInfo.InvariantCulture),
                        JsonValueKind.True => "true",
                        JsonValueKind.False => "false",
                        _ => throw new EngineException($"{settingsFile}: {pluginId}.{p.Name} must be a string, number or boolean."),
                    };
                    Set(values, specs, pluginId, p.Name, text, settingsFile);
                }
            }
        }
        foreach (var o in overrides)
        {
            var eq = o.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw new EngineException($"--param {o}: expected name=value.");
            Set(values, specs, pluginId, o[..eq], o[(eq + 1)..], "--param");
        }
        return new ParameterValues(values);
    }

    private static void Set(Dictionary<string, string> values, IReadOnlyList<ParameterSpec> specs, string pluginId, string name, string text, string origin)
    {
        var spec = specs.FirstOrDefault(s => s.Name == name)
            ?? throw new EngineException($"{origin}: plugin '{pluginId}' has no parameter '{name}' (it has {string.Join(", ", specs.Select(s => s.Name).DefaultIfEmpty("none"))}).");
        if (spec.Validate(text) is { } error)
            throw new EngineException($"{origin}: {pluginId}: {error}.");
        values[name] = text;
    }
}
