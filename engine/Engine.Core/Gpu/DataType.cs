namespace Engine.Gpu;

/// <summary>Element types a tensor can hold.</summary>
public enum DataType
{
    Float32,
    Float16,
    Int32,
    UInt32,
    UInt8,
    Int64,
}

public static class DataTypeExtensions
{
    public static int Size(this DataType type) => type switch
    {
        DataType.Float32 or DataType.Int32 or DataType.UInt32 => 4,
        DataType.Float16 => 2,
        DataType.UInt8 => 1,
        DataType.Int64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>The name numpy and safetensors use for the type ("float32", "F32").</summary>
    public static string NumpyName(this DataType type) => type switch
    {
        DataType.Float32 => "float32",
        DataType.Float16 => "float16",
        DataType.Int32 => "int32",
        DataType.UInt32 => "uint32",
        DataType.UInt8 => "uint8",
        DataType.Int64 => "int64",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
