using System.Buffers.Binary;

namespace WeightConverter.Containers;

/// <summary>Sizes, names and element decoding of <see cref="ElementType"/>.</summary>
internal static class ElementTypes
{
    public static int Size(this ElementType type) => type switch
    {
        ElementType.Float64 or ElementType.Int64 => 8,
        ElementType.Float32 or ElementType.Int32 => 4,
        ElementType.Float16 or ElementType.BFloat16 or ElementType.Int16 => 2,
        _ => 1,
    };

    /// <summary>The safetensors dtype name ("F32"), also used in the inspect table.</summary>
    public static string Name(this ElementType type) => type switch
    {
        ElementType.Float32 => "F32",
        ElementType.Float16 => "F16",
        ElementType.BFloat16 => "BF16",
        ElementType.Float64 => "F64",
        ElementType.Int64 => "I64",
        ElementType.Int32 => "I32",
        ElementType.Int16 => "I16",
        ElementType.Int8 => "I8",
        ElementType.UInt8 => "U8",
        _ => "BOOL",
    };

    public static bool IsFloat(this ElementType type) => type is ElementType.Float32 or ElementType.Float16 or ElementType.BFloat16 or ElementType.Float64;

    public static ElementType? FromSafeTensors(string dtype) => dtype switch
    {
        "F32" => ElementType.Float32,
        "F16" => ElementType.Float16,
        "BF16" => ElementType.BFloat16,
        "F64" => ElementType.Float64,
        "I64" => ElementType.Int64,
        "I32" => ElementType.Int32,
        "I16" => ElementType.Int16,
        "I8" => ElementType.Int8,
        "U8" => ElementType.UInt8,
        "BOOL" => ElementType.Bool,
        _ => null,
    };

    /// <summary>The element type of a torch storage class (`FloatStorage`), or null for one the converter does not read.</summary>
    public static ElementType? FromTorchStorage(string name) => name switch
    {
        "FloatStorage" => ElementType.Float32,
        "HalfStorage" => ElementType.Float16,
        "BFloat16Storage" => ElementType.BFloat16,
        "DoubleStorage" => ElementType.Float64,
        "LongStorage" => ElementType.Int64,
        "IntStorage" => ElementType.Int32,
        "ShortStorage" => ElementType.Int16,
        "CharStorage" => ElementType.Int8,
        "ByteStorage" => ElementType.UInt8,
        "BoolStorage" => ElementType.Bool,
        _ => null,
    };

    /// <summary>The element type of a numpy type string without byte order ("f4", "i8", "b1"), or null.</summary>
    public static ElementType? FromNumpy(string kind) => kind switch
    {
        "f4" => ElementType.Float32,
        "f2" => ElementType.Float16,
        "f8" => ElementType.Float64,
        "i8" => ElementType.Int64,
        "i4" => ElementType.Int32,
        "i2" => ElementType.Int16,
        "i1" => ElementType.Int8,
        "u1" => ElementType.UInt8,
        "b1" => ElementType.Bool,
        _ => null,
    };

    /// <summary>Decodes as many consecutive elements as <paramref name="target"/> holds into floats.</summary>
    public static void Decode(ElementType type, bool bigEndian, ReadOnlySpan<byte> source, Span<float> target)
    {
        var n = target.Length;
        switch (type)
        {
            case ElementType.Float32 when !bigEndian:
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(source[..(n * 4)]).CopyTo(target);
                break;
            case ElementType.Float32:
                for (var i = 0; i < n; i++)
                    target[i] = BinaryPrimitives.ReadSingleBigEndian(source[(i * 4)..]);
                break;
            case ElementType.Float16:
                for (var i = 0; i < n; i++)
                    target[i] = (float)(bigEndian ? BinaryPrimitives.ReadHalfBigEndian(source[(i * 2)..]) : BinaryPrimitives.ReadHalfLittleEndian(source[(i * 2)..]));
                break;
            case ElementType.BFloat16:
                for (var i = 0; i < n; i++)
                    target[i] = BitConverter.Int32BitsToSingle((bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(source[(i * 2)..]) : BinaryPrimitives.ReadUInt16LittleEndian(source[(i * 2)..])) << 16);
                break;
            case ElementType.Float64:
                for (var i = 0; i < n; i++)
                    target[i] = (float)(bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(source[(i * 8)..]) : BinaryPrimitives.ReadDoubleLittleEndian(source[(i * 8)..]));
                break;
            case ElementType.Int64:
                for (var i = 0; i < n; i++)
                    target[i] = bigEndian ? BinaryPrimitives.ReadInt64BigEndian(source[(i * 8)..]) : BinaryPrimitives.ReadInt64LittleEndian(source[(i * 8)..]);
                break;
            case ElementType.Int32:
                for (var i = 0; i < n; i++)
                    target[i] = bigEndian ? BinaryPrimitives.ReadInt32BigEndian(source[(i * 4)..]) : BinaryPrimitives.ReadInt32LittleEndian(source[(i * 4)..]);
                break;
            case ElementType.Int16:
                for (var i = 0; i < n; i++)
                    target[i] = bigEndian ? BinaryPrimitives.ReadInt16BigEndian(source[(i * 2)..]) : BinaryPrimitives.ReadInt16LittleEndian(source[(i * 2)..]);
                break;
            case ElementType.Int8:
                for (var i = 0; i < n; i++)
                    target[i] = (sbyte)source[i];
                break;
            default:
                for (var i = 0; i < n; i++)
                    target[i] = source[i];
                break;
        }
    }
}
