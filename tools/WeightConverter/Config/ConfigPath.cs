using System.Text.Json.Nodes;

namespace WeightConverter.Config;

/// <summary>The one way the converter looks into a parsed config: a dotted path of mapping keys.</summary>
internal static class ConfigPath
{
    /// <summary>
    /// The node at <paramref name="path"/> ("model.backbone.non_local_cfg.mode"), or null when a key is
    /// missing, a step is not a mapping, or the value itself is null.
    /// </summary>
    public static JsonNode? Get(JsonObject root, string path)
    {
        JsonNode? node = root;
        foreach (var key in path.Split('.'))
        {
            if (node is not JsonObject map || !map.TryGetPropertyValue(key, out node))
                return null;
        }
        return node;
    }
}
