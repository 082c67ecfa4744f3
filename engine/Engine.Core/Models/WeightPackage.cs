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
    private readonly SafeTensorsFile _file;

    private WeightPackage(SafeTensorsFile file)
    {
        _file = file;
        Metadata = PackageMetadata.Parse(file.Path, file.Metadata);
    }

    public string Path => _file.Path;

    /// <summary>The package's metadata, parsed once: architecture, labels, non-local options, normalization, clip.</summary>
    public PackageMetadata Metadata { get; }

    /// <summary>The `architecture` metadata; its `kind` (<see cref="PackageMetadata.Kind"/>) says which builder reads it.</summary>
    public JsonElement Architecture => Metadata.Architecture;

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

    public void Dispose() => _file.Dispose();
}
