using System.Text.Json;
using Engine.Contracts;
using Engine.Files;

namespace Engine.Host;

/// <summary>
/// Reads what plugins need from a weight package's metadata (docs/weight-package.md) without loading
/// its tensors. `clip` and `normalization` are optional (packages of image networks, test packages):
/// absent, they are null and the plugin decides.
/// </summary>
public static class ModelPackageInfo
{
    public const int FormatVersion = Models.WeightPackage.FormatVersion;

    public static ModelInfo Read(string path)
    {
        if (!File.Exists(path))
            throw new EngineException($"{path}: no such weight package.");
        using var file = SafeTensorsFile.Open(path);
        var meta = file.Metadata;
        string Key(string key) => meta.TryGetValue(key, out var v) ? v : throw new EngineException($"{path}: metadata key '{key}' is missing; is this a nonlocal-engine weight package?");
        if (Key("format") != "nonlocal-engine/weights")
            throw new EngineException($"{path}: format '{meta["format"]}' is not a nonlocal-engine weight package.");
        if (Key("format_version") != FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
            throw new EngineException($"{path}: package format version {meta["format_version"]}, this engine reads version {FormatVersion}; convert it again with weight-converter.");
        try
        {
            var labels = JsonSerializer.Deserialize<string[]>(Key("labels")) ?? [];
            var architecture = Key("architecture");
            using var arch = JsonDocument.Parse(architecture);
            Normalization? normalization = null;
            if (meta.TryGetValue("normalization", out var normText))
            {
                using var norm = JsonDocument.Parse(normText);
                var n = norm.RootElement;
                normalization = new Normalization(
                    n.GetProperty("scale").GetDouble(),
                    [.. n.GetProperty("mean").EnumerateArray().Select(e => e.GetDouble())],
                    [.. n.GetProperty("std").EnumerateArray().Select(e => e.GetDouble())],
                    n.TryGetProperty("space", out var space) && space.GetString() == "bgr");
            }
            int? frames = null, rate = null, shortSide = null, crop = null;
            if (meta.TryGetValue("clip", out var clipText))
            {
                using var clip = JsonDocument.Parse(clipText);
                var c = clip.RootElement;
                int? Int(string key) => c.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;
                (frames, rate, shortSide, crop) = (Int("frames"), Int("sampling_rate"), Int("short_side"), Int("crop"));
            }
            var blocks = arch.RootElement.TryGetProperty("nonlocal", out var nl) && nl.ValueKind == JsonValueKind.Array ? nl.GetArrayLength() : 0;
            return new ModelInfo(Path.GetFullPath(path), labels, frames, rate, shortSide, crop, normalization, architecture, blocks);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new EngineException($"{path}: malformed metadata: {e.Message}");
        }
    }
}
