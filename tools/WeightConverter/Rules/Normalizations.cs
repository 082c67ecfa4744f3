using System.Text.Json.Nodes;

namespace WeightConverter.Rules;

/// <summary>Input normalisations as the package records them (docs/weight-package.md `normalization`).</summary>
internal static class Normalizations
{
    /// <summary>RGB on 0..255, (pixel - 114.75) / 57.375: video-nonlocal-net and PySlowFast.</summary>
    public static JsonObject Kinetics => Make("rgb", 255, [114.75, 114.75, 114.75], [57.375, 57.375, 57.375]);

    /// <summary>ImageNet statistics on 0..255 (mmaction2's released configs).</summary>
    public static JsonObject ImageNet255 => Make("rgb", 255, [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]);

    /// <summary>ImageNet statistics on 0..1 (torchvision's image classifiers).</summary>
    public static JsonObject ImageNet01 => Make("rgb", 1, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]);

    public static JsonObject Make(string space, double scale, double[] mean, double[] std) => new()
    {
        ["space"] = space,
        ["scale"] = scale,
        ["mean"] = new JsonArray(mean.Select(m => (JsonNode)m).ToArray()),
        ["std"] = new JsonArray(std.Select(s => (JsonNode)s).ToArray()),
    };
}
