using System.Globalization;
using System.Text.Json;
using Engine.Contracts;
using Engine.Files;
using Engine.Ops;

namespace Engine.Models;

/// <summary>
/// A weight package's metadata (docs/weight-package.md), read once from the safetensors header: the
/// format and version check, the architecture (its JSON, its `kind`, its non-local entries as typed
/// options), the labels, and the optional `normalization` and `clip` (null when absent: packages of
/// image networks and test packages; the reader decides). <see cref="WeightPackage"/> holds one; the
/// host reads one for plugins without loading tensors (<see cref="Read"/>), and gives them
/// <see cref="ToModelInfo"/>.
/// </summary>
public sealed record PackageMetadata(string Path, string Kind, JsonElement Architecture, IReadOnlyList<string> Labels,
    IReadOnlyList<NonLocalOptions> NonLocal, Normalization? Normalization, int? Frames, int? SamplingRate, int? ShortSide, int? Crop)
{
    public const string FormatName = "nonlocal-engine/weights";
    public const int FormatVersion = 2;

    /// <summary>The metadata of the package at <paramref name="path"/> (its header only).</summary>
    public static PackageMetadata Read(string path)
    {
        if (!File.Exists(path))
            throw new EngineException($"{path}: no such weight package.");
        using var file = SafeTensorsFile.Open(path);
        return Parse(file.Path, file.Metadata);
    }

    /// <summary>Checks the format and version, then parses every key; errors name the file and the key.</summary>
    public static PackageMetadata Parse(string path, IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue("format", out var format) || format != FormatName)
            throw new EngineException($"{path}: not a weight package (metadata 'format' is {(format is null ? "missing" : $"'{format}'")}, expected '{FormatName}'); convert the checkpoint with the weight converter.");
        if (!metadata.TryGetValue("format_version", out var version) || version != FormatVersion.ToString(CultureInfo.InvariantCulture))
            throw new EngineException($"{path}: weight package format version {version ?? "(missing)"}, this engine reads version {FormatVersion}; convert it again with this engine's converter.");
        JsonElement? Json(string key)
        {
            if (!metadata.TryGetValue(key, out var text))
                return null;
            try
            {
                using var doc = JsonDocument.Parse(text);
                return doc.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new EngineException($"{path}: metadata '{key}' is not valid JSON: {e.Message}");
            }
        }
        T Field<T>(string what, Func<T> parse)
        {
            try
            {
                return parse();
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or EngineException)
            {
                throw new EngineException($"{path}: {what}: {e.Message}");
            }
        }

        var architecture = Json("architecture") ?? throw new EngineException($"{path}: metadata 'architecture' is missing.");
        var kind = architecture.ValueKind == JsonValueKind.Object && architecture.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString()! : "";
        var labels = Json("labels") is { } l ? Field("metadata 'labels'", () => l.EnumerateArray().Select(e => e.GetString() ?? "").ToArray()) : [];
        var nonlocal = architecture.ValueKind == JsonValueKind.Object && architecture.TryGetProperty("nonlocal", out var nl) && nl.ValueKind == JsonValueKind.Array
            ? Field("architecture", () => nl.EnumerateArray().Select(NonLocalJson.Parse).ToArray())
            : [];
        var normalization = Json("normalization") is { } n ? Field("metadata 'normalization'", () => ParseNormalization(n)) : null;
        int? frames = null, rate = null, shortSide = null, crop = null;
        if (Json("clip") is { } clip)
        {
            int? Int(string key) => clip.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;
            (frames, rate, shortSide, crop) = Field("metadata 'clip'", () => (Int("frames"), Int("sampling_rate"), Int("short_side"), Int("crop")));
        }
        return new PackageMetadata(path, kind, architecture, labels, nonlocal, normalization, frames, rate, shortSide, crop);
    }

    /// <summary>What a plugin sees of the package (the Contracts projection of this record).</summary>
    public ModelInfo ToModelInfo() =>
        new(System.IO.Path.GetFullPath(Path), Labels, Frames, SamplingRate, ShortSide, Crop, Normalization, Architecture.GetRawText(), NonLocal.Count);

    /// <summary>`normalization`: {"scale", "mean", "std", "space": "rgb" | "bgr"}.</summary>
    private static Normalization ParseNormalization(JsonElement n) =>
        new(n.GetProperty("scale").GetDouble(), [.. n.GetProperty("mean").EnumerateArray().Select(e => e.GetDouble())],
            [.. n.GetProperty("std").EnumerateArray().Select(e => e.GetDouble())], n.TryGetProperty("space", out var space) && space.GetString() == "bgr");
}
