using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engine;
using Engine.Files;
using Engine.Models;
using WeightConverter.Containers;

namespace WeightConverter.Package;

/// <summary>Writes a mapped model as the engine's weight package (docs/weight-package.md), one tensor in memory at a time.</summary>
internal static class PackageWriter
{
    public const string ConverterVersion = "2.0.0";

    /// <summary>Refuses a mapping with missing or unexpected keys, naming the first few.</summary>
    public static void EnsureComplete(MappedModel model)
    {
        var path = model.Source.Path;
        if (model.Source.Missing.Count > 0)
            throw new EngineException($"{path}: {model.Source.Missing.Count} key(s) missing for a {model.Dialect} {Kind(model)}: {Names(model.Source.Missing)}.");
        var unknown = model.Source.Unknown().ToList();
        if (unknown.Count > 0)
            throw new EngineException($"{path}: {unknown.Count} unexpected key(s) for a {model.Dialect} {Kind(model)}: {Names(unknown)}.");
    }

    public static void Write(MappedModel model, Checkpoint checkpoint, string output, IReadOnlyList<string>? labels, Action<long>? progress = null)
    {
        EnsureComplete(model);
        var classes = model.Architecture["head"]?["classes"]?.GetValue<long>() ?? model.Architecture["classes"]?.GetValue<long>();
        if (labels is not null && classes is not null && labels.Count != classes)
            throw new EngineException($"--labels: {labels.Count} names, but the classifier of {checkpoint.Path} has {classes} classes.");
        var writer = new SafeTensorsWriter();
        writer.AddMetadata("format", PackageMetadata.FormatName);
        writer.AddMetadata("format_version", PackageMetadata.FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
        writer.AddMetadata("architecture", model.Architecture.ToJsonString());
        if (model.Normalization is not null)
            writer.AddMetadata("normalization", model.Normalization.ToJsonString());
        if (model.Clip is not null)
            writer.AddMetadata("clip", model.Clip.ToJsonString());
        if (labels is not null)
            writer.AddMetadata("labels", JsonSerializer.Serialize(labels));
        writer.AddMetadata("source_file", Path.GetFileName(checkpoint.Path));
        writer.AddMetadata("source_sha256", Sha256(checkpoint.Path));
        writer.AddMetadata("source_dialect", model.Dialect);
        writer.AddMetadata("source_container", checkpoint.Container);
        writer.AddMetadata("converter_version", ConverterVersion);
        if (model.Derivation is { } derivation)
            writer.AddMetadata("settings", new JsonArray(derivation.Settings.Select(s => (JsonNode)new JsonObject { ["setting"] = s.Name, ["value"] = s.Value, ["source"] = s.SourceText, ["detail"] = s.Detail }).ToArray()).ToJsonString());
        long sinceCollection = 0;
        foreach (var t in model.Tensors)
        {
            writer.Add(t.Name, "F32", t.Shape, stream =>
            {
                var values = t.Values();
                if (values.LongLength != t.ElementCount)
                    throw new EngineException($"{checkpoint.Path}: tensor '{t.Name}' computed {values.Length} values for shape {CheckpointTensor.ShapeText(t.Shape)}.");
                if (!BitConverter.IsLittleEndian)
                    throw new EngineException("weight packages are written little-endian; this machine is big-endian.");
                stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
                progress?.Invoke(values.LongLength * 4);
                // Each tensor's arrays are garbage once written, but large-object-heap garbage waits for a
                // full collection; collecting every 64 MB keeps the peak near one copy of the checkpoint.
                sinceCollection += values.LongLength * 4;
                if (sinceCollection >= 64 << 20)
                {
                    GC.Collect();
                    sinceCollection = 0;
                }
            });
        }
        try
        {
            writer.Write(output);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"{output}: {e.Message}");
        }
    }

    public static JsonObject Summary(MappedModel model) => new()
    {
        ["mapped"] = model.Source.MappedCount,
        ["tensors_written"] = model.Tensors.Count,
        ["folded"] = model.Folded,
        ["skipped_tensors"] = model.Source.SkippedTensorCount,
        ["skipped_entries"] = model.Source.Skipped.Count,
    };

    private static string Kind(MappedModel model) => model.Architecture["kind"]?.GetValue<string>() ?? "network";

    private static string Names(IReadOnlyList<string> keys) => string.Join(", ", keys.Take(5).Select(k => $"'{k}'")) + (keys.Count > 5 ? $" and {keys.Count - 5} more" : "");

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
