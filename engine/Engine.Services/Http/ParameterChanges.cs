using System.Text.Json;
using Engine.Host;

namespace Engine.Services.Http;

/// <summary>
/// A PUT body {"name": value, ...} read against a plugin's declared parameters. Every change is
/// validated before any is applied, so a body with one bad value changes nothing.
/// </summary>
internal static class ParameterChanges
{
    /// <summary>The changes as (name, text) in the text form the specs validate, or the reason the body is refused.</summary>
    public static string? Read(JsonElement body, StreamPluginStatus plugin, out List<(string Name, string Text)> changes)
    {
        changes = [];
        if (body.ValueKind != JsonValueKind.Object)
            return "the body must be a JSON object {\"name\": value, ...}";
        foreach (var property in body.EnumerateObject())
        {
            var spec = plugin.Parameters.FirstOrDefault(p => p.Name == property.Name);
            if (spec is null)
                return $"plugin '{plugin.Id}' has no parameter '{property.Name}' (it has: {string.Join(", ", plugin.Parameters.Select(p => p.Name).DefaultIfEmpty("none"))})";
            var text = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString()!,
                // The number's own text: the spec parses it (an integer spec refuses 2.5 or 1e3 itself).
                JsonValueKind.Number => property.Value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => null,
            };
            if (text is null)
                return $"parameter '{property.Name}': expected a number, true/false or a string, not {property.Value.ValueKind.ToString().ToLowerInvariant()}";
            if (spec.Validate(text) is { } error)
                return error;
            changes.Add((property.Name, text));
        }
        return changes.Count == 0 ? "the body names no parameter" : null;
    }
}
