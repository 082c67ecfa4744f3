namespace WeightConverter.Containers;

/// <summary>Element types a checkpoint tensor can hold (torch storages, numpy dtypes, safetensors dtypes).</summary>
internal enum ElementType
{
    Float32,
    Float16,
    BFloat16,
    Float64,
    Int64,
    Int32,
    Int16,
    Int8,
    UInt8,
    Bool,
}
