using System.Collections.Immutable;

namespace Engine.Files;

/// <summary>One tensor entry of a safetensors file: its dtype name ("F32", "F16", "BF16", ...), shape and byte range in the data section.</summary>
public sealed record SafeTensorInfo(string Name, string DType, ImmutableArray<long> Shape, long Offset, long Length)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    public string ShapeText => "(" + string.Join(", ", Shape) + ")";

    /// <summary>Bytes per element of a safetensors dtype, or null if the dtype is unknown.</summary>
    public static int? ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => null,
    };
}
