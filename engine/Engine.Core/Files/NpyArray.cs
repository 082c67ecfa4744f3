using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Engine.Gpu;

namespace Engine.Files;

/// <summary>
/// A numpy `.npy` array in memory: C-order data of float32, float16, int32, int64 or uint8, read and
/// written in format versions 1-3. Fortran order and big-endian files are rejected with the reason.
/// </summary>
public sealed partial class NpyArray
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public NpyArray(Shape shape, DataType type, byte[] data)
    {
        if (data.LongLength != shape.ElementCount * type.Size())
            throw new EngineException($"npy array {shape} {type.NumpyName()}: {data.Length} data bytes, expected {shape.ElementCount * type.Size()}.");
        Shape = shape;
        Type = type;
        Data = data;
    }

    public Shape Shape { get; }

    public DataType Type { get; }

    /// <summary>Little-endian element bytes in C order.</summary>
    public byte[] Data { get; }

    public static NpyArray FromFloats(Shape shape, float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return new NpyArray(shape, DataType.Float32, bytes);
    }

    /// <summary>The elements as float32 (float16 is widened; integer types are refused).</summary>
    public float[] ToFloats()
    {
        switch (Type)
        {
            case DataType.Float32:
                var f = new float[Data.Length / 4];
                Buffer.BlockCopy(Data, 0, f, 0, Data.Length);
                return f;
            case DataType.Float16:
                var h = new float[Data.Length / 2];
                for (var i = 0; i < h.Length; i++)
                    h[i] = (float)BitConverter.ToHalf(Data, i * 2);
                return h;
            default:
                throw new EngineException($"npy array of {Type.NumpyName()}: expected floating point data.");
        }
    }

    public static NpyArray Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"{path}: {e.Message}");
        }
        return Parse(bytes, path);
    }

    public static NpyArray Parse(ReadOnlySpan<byte> bytes, string name)
    {
        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(Magic))
            throw new EngineException($"{name}: not a .npy file (no \\x93NUMPY magic).");
        var major = bytes[6];
        int headerLength, headerStart;
        switch (major)
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]);
                headerStart = 10;
                break;
            case 2 or 3:
                if (bytes.Length < 12)
                    throw new EngineException($"{name}: truncated .npy header.");
                var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
                if (length > int.MaxValue)
                    throw new EngineException($"{name}: .npy header length {length} is past the end of the file.");
                headerLength = (int)length;
                headerStart = 12;
                break;
            default:
                throw new EngineException($"{name}: .npy format version {major} is not supported (1-3 are).");
        }
        if ((long)headerStart + headerLength > bytes.Length)
            throw new EngineException($"{name}: .npy header length {headerLength} is past the end of the file ({bytes.Length} bytes).");
        var header = Encoding.Latin1.GetString(bytes.Slice(headerStart, headerLength));

        var descr = Descr().Match(header);
        var order = FortranOrder().Match(header);
        var shapeMatch = ShapeField().Match(header);
        if (!descr.Success || !order.Success || !shapeMatch.Success)
            throw new EngineException($"{name}: malformed .npy header {header.Trim()}");
        if (order.Groups[1].Value == "True")
            throw new EngineException($"{name}: Fortran-order arrays are not supported; save with np.ascontiguousarray.");
        var type = descr.Groups[1].Value switch
        {
            "<f4" => DataType.Float32,
            "<f2" => DataType.Float16,
            "<i4" => DataType.Int32,
            "<u4" => DataType.UInt32,
            "<i8" => DataType.Int64,
            "|u1" or "<u1" => DataType.UInt8,
            var d => throw new EngineException($"{name}: .npy dtype '{d}' is not supported (little-endian f4, f2, i4, u4, i8, u1 are)."),
        };
        var dims = shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => int.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw new EngineException($"{name}: bad .npy shape ({shapeMatch.Groups[1].Value})."))
            .ToArray();
        var shape = new Shape(dims);
        var dataStart = headerStart + headerLength;
        var expected = shape.ElementCount * type.Size();
        if (bytes.Length - dataStart != expected)
            throw new EngineException($"{name}: .npy data is {bytes.Length - dataStart} bytes, shape {shape} of {type.NumpyName()} needs {expected}.");
        return new NpyArray(shape, type, bytes[dataStart..].ToArray());
    }

    public void Write(string path)
    {
        var descr = Type switch
        {
            DataType.Float32 => "<f4",
            DataType.Float16 => "<f2",
            DataType.Int32 => "<i4",
            DataType.UInt32 => "<u4",
            DataType.Int64 => "<i8",
            DataType.UInt8 => "|u1",
            _ => throw new ArgumentOutOfRangeException(nameof(Type)),
        };
        var dims = Shape.Dims.ToArray();
        var shapeText = dims.Length == 1 ? $"({dims[0]},)" : "(" + string.Join(", ", dims) + ")";
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        // Pad with spaces so the data starts on a 64-byte boundary, ending the header with '\n'.
        var total = 10 + header.Length + 1;
        header += new string(' ', (64 - total % 64) % 64) + "\n";
        using var stream = File.Create(path);
        stream.Write(Magic);
        stream.Write([1, 0]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        stream.Write(length);
        stream.Write(Encoding.Latin1.GetBytes(header));
        stream.Write(Data);
    }

    [GeneratedRegex(@"'descr':\s*'([^']+)'")]
    private static partial Regex Descr();

    [GeneratedRegex(@"'fortran_order':\s*(True|False)")]
    private static partial Regex FortranOrder();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapeField();
}
