using System.Text.Json;
using Engine.Files;

namespace Engine.Models;

/// <summary>
/// A weight package (docs/weight-package.md): one safetensors file whose tensors carry the engine's
/// canonical names in PyTorch layout and whose metadata describes the network. Packages of another
/// format version are refused: the converter must write them again.
/// </summary>
public sealed class WeightPackage : IDisposable
{
    public const string FormatName = "nonlocal-engine/weights";
    public const int FormatVersion = 2;

    private readonly SafeTensorsFile _file;

    private WeightPackage(SafeTensorsFile file)
    {
        _file = file;
        var meta = file.Metadata;
        if (!meta.TryGetValue("format", out var format) || format != FormatName)
            throw new EngineException($"{file.Path}: not a weight package (metadata 'format' is {(format is null ? "missing" : $"'{format}'")}, expected '{FormatName}'); convert the checkpoint with the weight converter.");
        if (!meta.TryGetValue("format_version", out var version) || version != FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
            throw new EngineException($"{file.Path}: weight package format version {version ?? "(missing)"}, this engine reads version {FormatVersion}; convert it again with this engine's converter.");
        Architecture = ParseJson("architecture") ?? throw new EngineException($"{file.Path}: metadata 'architecture' is missing.");
        Kind = Architecture.RootElement.TryGetProperty("kind", out var kind) && kind.ValueKind == JsonValueKind.String ? kind.GetString()! : "";
        using var labels = ParseJson("labels");
        Labels = labels is null ? [] : labels.RootElement.EnumerateArray().Select(l => l.GetString() ?? "").ToArray();
    }

    public string Path => _file.Path;

    public IReadOnlyDictionary<string, string> Metadata => _file.Metadata;

    /// <summary>The `architecture` metadata as parsed JSON; its `kind` says which builder reads it.</summary>
    public JsonDocument Architecture { get; }

    public string Kind { get; }

    /// <summary>Class names, index = class id (empty when the package has none).</summary>
    public IReadOnlyList<string> Labels { get; }

    public static WeightPackage Open(string path)
    {
        var file = SafeTensorsFile.Open(path);
        try
        {
            return new WeightPackage(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public bool Contains(string name) => _file.Contains(name);

    /// <summary>A tensor's values as float32, after checking it exists with exactly <paramref name="shape"/>.</summary>
    public float[] Floats(string name, params long[] shape)
    {
        if (!_file.Contains(name))
            throw new EngineException($"{Path}: tensor '{name}' {Describe(shape)} missing.");
        var info = _file[name];
        if (!info.Shape.SequenceEqual(shape))
            throw new EngineException($"{Path}: tensor '{name}' has shape {info.ShapeText}, the architecture needs {Describe(shape)}.");
        return _file.ReadFloats(name);
    }

    /// <summary>A tensor's values as float32, for readers that check the element count themselves.</summary>
    public float[] Floats(string name) =>
        _file.Contains(name) ? _file.ReadFloats(name) : throw new EngineException($"{Path}: tensor '{name}' missing.");

    /// <summary>The shape a tensor has in the file (to read widths the architecture leaves open).</summary>
    public IReadOnlyList<long> ShapeOf(string name) =>
        _file.Contains(name) ? _file[name].Shape : throw new EngineException($"{Path}: tensor '{name}' missing.");

    private static string Describe(long[] shape) => "(" + string.Join(", ", shape) + ")";

    private JsonDocument? ParseJson(string key)
    {
        if (!_file.Metadata.TryGetValue(key, out var text))
            return null;
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new EngineException($"{Path}: metadata '{key}' is not valid JSON: {e.Message}");
        }
    }

    public void Dispose()
    {
        Architecture.Dispose();
        _file.Dispose();
    }
}
