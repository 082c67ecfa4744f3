using System.Buffers.Binary;
using System.Collections.Immutable;
using System.IO.MemoryMappedFiles;
using System.Text.Json;

namespace Engine.Files;

/// <summary>
/// A safetensors file opened for reading: the header is validated in full (every offset, size and
/// dtype against the file) before any tensor is touched, and the data is memory-mapped, so a
/// multi-gigabyte file costs no more memory than the tensors actually read.
/// </summary>
public sealed unsafe class SafeTensorsFile : IDisposable
{
    /// <summary>The safetensors format caps the JSON header at 100 MB.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _base;
    private readonly Dictionary<string, SafeTensorInfo> _byName;

    private SafeTensorsFile(string path, MemoryMappedFile? map, MemoryMappedViewAccessor? view, long dataStart, IReadOnlyList<SafeTensorInfo> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        _map = map;
        _view = view;
        Tensors = tensors;
        Metadata = metadata;
        _byName = tensors.ToDictionary(t => t.Name);
        if (view is not null)
        {
            byte* p = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            _base = p + view.PointerOffset + dataStart;
        }
    }

    public string Path { get; }

    /// <summary>Tensors in file order.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }

    /// <summary>The header's "__metadata__" strings.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public bool Contains(string name) => _byName.ContainsKey(name);

    public SafeTensorInfo this[string name] => _byName.TryGetValue(name, out var t) ? t : throw new EngineException($"{Path}: no tensor named '{name}'.");

    public static SafeTensorsFile Open(string path)
    {
        FileStream stream;
        try
        {
            stream = File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"{path}: {e.Message}");
        }
        using (stream)
        {
            var fileLength = stream.Length;
            Span<byte> prefix = stackalloc byte[8];
            if (fileLength < 8 || stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8)
                throw new EngineException($"{path}: not a safetensors file (shorter than its 8-byte header length).");
            var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerLength > MaxHeaderBytes || (long)headerLength > fileLength - 8)
                throw new EngineException($"{path}: safetensors header length {headerLength} at offset 0 is past the end of the file ({fileLength} bytes) or over the 100 MB limit.");
            var header = new byte[headerLength];
            stream.ReadExactly(header);
            var dataStart = 8 + (long)headerLength;
            var (tensors, metadata) = ParseHeader(path, header, fileLength - dataStart);
            if (fileLength == 0 || tensors.All(t => t.Length == 0))
                return new SafeTensorsFile(path, null, null, dataStart, tensors, metadata);
            var map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            return new SafeTensorsFile(path, map, view, dataStart, tensors, metadata);
        }
    }

    private static (List<SafeTensorInfo>, Dictionary<string, string>) ParseHeader(string path, byte[] header, long dataLength)
    {
        // JsonDocument accepts invalid UTF-8 inside strings and only fails when a name is read, so check it first.
        if (!System.Text.Unicode.Utf8.IsValid(header))
            throw new EngineException($"{path}: safetensors header is not valid UTF-8.");
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new EngineException($"{path}: safetensors header is not valid JSON ({e.Message}).");
        }
        using (json)
        {
            if (json.RootElement.ValueKind != JsonValueKind.Object)
                throw new EngineException($"{path}: safetensors header is not a JSON object.");
            var tensors = new List<SafeTensorInfo>();
            var metadata = new Dictionary<string, string>();
            var seen = new HashSet<string>();
            foreach (var entry in json.RootElement.EnumerateObject())
            {
                if (!seen.Add(entry.Name))
                    throw new EngineException($"{path}: tensor '{entry.Name}' appears twice in the header.");
                if (entry.Name == "__metadata__")
                {
                    if (entry.Value.ValueKind != JsonValueKind.Object)
                        throw new EngineException($"{path}: __metadata__ must be an object of strings.");
                    foreach (var m in entry.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : throw new EngineException($"{path}: __metadata__ value '{m.Name}' is not a string.");
                    continue;
                }
                tensors.Add(ParseEntry(path, entry, dataLength));
            }
            var ordered = tensors.OrderBy(t => t.Offset).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                if (ordered[i].Offset < ordered[i - 1].Offset + ordered[i - 1].Length)
                    throw new EngineException($"{path}: tensors '{ordered[i - 1].Name}' and '{ordered[i].Name}' overlap in the data section.");
            }
            return (ordered, metadata);
        }
    }

    private static SafeTensorInfo ParseEntry(string path, JsonProperty entry, long dataLength)
    {
        var name = entry.Name;
        var v = entry.Value;
        if (v.ValueKind != JsonValueKind.Object
            || !v.TryGetProperty("dtype", out var dtypeJson) || dtypeJson.ValueKind != JsonValueKind.String
            || !v.TryGetProperty("shape", out var shapeJson) || shapeJson.ValueKind != JsonValueKind.Array
            || !v.TryGetProperty("data_offsets", out var offsetsJson) || offsetsJson.ValueKind != JsonValueKind.Array || offsetsJson.GetArrayLength() != 2)
            throw new EngineException($"{path}: tensor '{name}' needs dtype, shape and data_offsets [begin, end].");
        var dtype = dtypeJson.GetString()!;
        var size = SafeTensorInfo.ElementSize(dtype) ?? throw new EngineException($"{path}: tensor '{name}' has unknown dtype '{dtype}'.");
        var shape = ImmutableArray.CreateBuilder<long>();
        long count = 1;
        foreach (var d in shapeJson.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var dim) || dim < 0 || dim > int.MaxValue)
                throw new EngineException($"{path}: tensor '{name}' has an invalid shape {shapeJson.GetRawText()}.");
            shape.Add(dim);
            count = count > 0 && dim > long.MaxValue / 16 / count ? throw new EngineException($"{path}: tensor '{name}' shape {shapeJson.GetRawText()} is absurdly large.") : count * dim;
        }
        if (!offsetsJson[0].TryGetInt64(out var begin) || !offsetsJson[1].TryGetInt64(out var end) || begin < 0 || end < begin || end > dataLength)
            throw new EngineException($"{path}: tensor '{name}' data_offsets {offsetsJson.GetRawText()} fall outside the {dataLength}-byte data section.");
        if (end - begin != count * size)
            throw new EngineException($"{path}: tensor '{name}' {dtype} {shapeJson.GetRawText()} needs {count * size} bytes but data_offsets give {end - begin}.");
        return new SafeTensorInfo(name, dtype, shape.ToImmutable(), begin, end - begin);
    }

    /// <summary>The raw little-endian bytes of a tensor, straight from the mapping.</summary>
    public ReadOnlySpan<byte> Bytes(SafeTensorInfo tensor)
    {
        if (tensor.Length == 0)
            return [];
        if (tensor.Length > int.MaxValue)
            throw new EngineException($"{Path}: tensor '{tensor.Name}' is {tensor.Length} bytes, too large for one span; read it in parts.");
        return new ReadOnlySpan<byte>(_base + tensor.Offset, (int)tensor.Length);
    }

    /// <summary>A tensor's elements as float32 (from F32, F16, BF16 or F64).</summary>
    public float[] ReadFloats(string name)
    {
        var t = this[name];
        var bytes = Bytes(t);
        var result = new float[t.ElementCount];
        switch (t.DType)
        {
            case "F32":
                for (var i = 0; i < result.Length; i++)
                    result[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]);
                break;
            case "F16":
                for (var i = 0; i < result.Length; i++)
                    result[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(i * 2)..]);
                break;
            case "BF16":
                for (var i = 0; i < result.Length; i++)
                    result[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(i * 2)..]) << 16);
                break;
            case "F64":
                for (var i = 0; i < result.Length; i++)
                    result[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes[(i * 8)..]);
                break;
            default:
                throw new EngineException($"{Path}: tensor '{name}' is {t.DType}; expected a floating-point tensor.");
        }
        return result;
    }

    public void Dispose()
    {
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _map?.Dispose();
    }
}
