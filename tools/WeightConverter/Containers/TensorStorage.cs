namespace WeightConverter.Containers;

/// <summary>
/// The flat element buffer behind one or more checkpoint tensors: a torch storage record in a zip or
/// legacy stream, a numpy array's data, or a safetensors byte range. Its element count was checked
/// against the bytes actually present when it was created; the bytes are loaded only when read.
/// </summary>
internal sealed class TensorStorage(string description, ElementType type, long count, bool bigEndian, Func<ReadOnlyMemory<byte>> load)
{
    /// <summary>Where the data lives, for error messages (`archive/data/3`, `numpy array`).</summary>
    public string Description { get; } = description;

    public ElementType Type { get; } = type;

    public long Count { get; } = count;

    public bool BigEndian { get; } = bigEndian;

    /// <summary>The storage's bytes (at least Count x element size).</summary>
    public ReadOnlyMemory<byte> Load() => load();
}
