using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace OnnxRuntimeBench;

/// <summary>
/// Just enough of numpy's .npy for this tool: little-endian float32 in C order, read in format
/// versions 1-3 and written as version 1. (The engine's NpyArray does more, but this tool keeps clear
/// of the engine's assemblies: it is the yardstick, not a user of the engine.)
/// </summary>
public static partial class Npy
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static (long[] Shape, float[] Values) ReadFloat32(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic))
            throw new BenchException($"{path}: not a .npy file.");
        var (headerStart, headerLength) = bytes[6] == 1
            ? (10, (int)BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)))
            : (12, (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        var header = Encoding.Latin1.GetString(bytes, headerStart, headerLength);
        if (!header.Contains("'descr': '<f4'", StringComparison.Ordinal))
            throw new BenchException($"{path}: expected little-endian float32 ('<f4'), header {header.Trim()}.");
        if (header.Contains("'fortran_order': True", StringComparison.Ordinal))
            throw new BenchException($"{path}: Fortran order is not supported; save it in C order.");
        var match = ShapePattern().Match(header);
        if (!match.Success)
            throw new BenchException($"{path}: no shape in header {header.Trim()}.");
        long[] shape = [.. match.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(d => long.Parse(d, CultureInfo.InvariantCulture))];
        var count = shape.Aggregate(1L, (a, b) => a * b);
        var dataStart = headerStart + headerLength;
        if (bytes.Length - dataStart != count * 4)
            throw new BenchException($"{path}: {bytes.Length - dataStart} data bytes for shape ({string.Join(", ", shape)}), expected {count * 4}.");
        var values = new float[count];
        Buffer.BlockCopy(bytes, dataStart, values, 0, (int)(count * 4));
        return (shape, values);
    }

    public static void WriteFloat32(string path, IReadOnlyList<long> shape, ReadOnlySpan<float> values)
    {
        var dims = shape.Count == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({dims}), }}";
        // The header, with its 10-byte preamble, is padded with spaces to a multiple of 64 and ends in a newline.
        var padded = header.PadRight((10 + header.Length + 1 + 63) / 64 * 64 - 10 - 1) + "\n";
        using var file = File.Create(path);
        file.Write(Magic);
        file.Write([1, 0]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)padded.Length);
        file.Write(length);
        file.Write(Encoding.Latin1.GetBytes(padded));
        file.Write(MemoryMarshal.AsBytes(values));
    }

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
