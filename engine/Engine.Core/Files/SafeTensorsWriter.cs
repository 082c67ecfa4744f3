using System.Buffers.Binary;
using System.Text.Json;

namespace Engine.Files;

/// <summary>
/// Writes a safetensors file: the tensors are declared first (so the header can be written), then
/// their bytes are streamed in the same order, so a large package never sits in memory twice.
/// </summary>
public sealed class SafeTensorsWriter
{
    private readonly List<(string Name, string DType, long[] Shape, Action<Stream> WriteData, long Length)> _tensors = [];
    private readonly Dictionary<string, string> _metadata = [];

    public void AddMetadata(string key, string value) => _metadata[key] = value;

    /// <summary>Declares a tensor whose bytes <paramref name="writeData"/> will write (exactly elements x dtype size bytes).</summary>
    public void Add(string name, string dtype, IReadOnlyList<long> shape, Action<Stream> writeData)
    {
        var size = SafeTensorInfo.ElementSize(dtype) ?? throw new EngineException($"safetensors: unknown dtype '{dtype}' for tensor '{name}'.");
        if (_tensors.Any(t => t.Name == name))
            throw new EngineException($"safetensors: tensor '{name}' added twice.");
        var length = shape.Aggregate(1L, (a, b) => a * b) * size;
        _tensors.Add((name, dtype, [.. shape], writeData, length));
    }

    public void AddFloats(string name, IReadOnlyList<long> shape, float[] values)
    {
        if (values.LongLength != shape.Aggregate(1L, (a, b) => a * b))
            throw new EngineException($"safetensors: tensor '{name}' has {values.Length} values for shape ({string.Join(", ", shape)}).");
        Add(name, "F32", shape, s =>
        {
            var bytes = new byte[values.Length * 4];
            for (var i = 0; i < values.Length; i++)
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
            s.Write(bytes);
        });
    }

    public void Write(string path)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (_metadata.Count > 0)
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in _metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
                    json.WriteString(k, v);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in _tensors)
            {
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", t.DType);
                json.WriteStartArray("shape");
                foreach (var d in t.Shape)
                    json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + t.Length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += t.Length;
            }
            json.WriteEndObject();
        }
        // The data section starts 8-byte aligned; the header is padded with spaces as the format allows.
        var header = buffer.ToArray();
        var padded = (header.Length + 7) / 8 * 8;
        var temp = path + ".partial";
        using (var file = File.Create(temp))
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            file.Write(length);
            file.Write(header);
            for (var i = header.Length; i < padded; i++)
                file.WriteByte((byte)' ');
            foreach (var t in _tensors)
            {
                var before = file.Position;
                t.WriteData(file);
                if (file.Position - before != t.Length)
                    throw new EngineException($"safetensors: tensor '{t.Name}' wrote {file.Position - before} bytes, declared {t.Length}.");
            }
        }
        File.Move(temp, path, overwrite: true);
    }
}
