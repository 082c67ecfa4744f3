using Engine.Interop;

namespace Engine.Gpu;

/// <summary>
/// A typed, shaped view of GPU memory: a buffer, a byte offset, a shape and element strides.
/// A tensor made by <see cref="Device.CreateTensor"/> owns its buffer; views made from it do not.
/// </summary>
public sealed class Tensor : IDisposable
{
    private readonly bool _ownsBuffer;

    public Tensor(GpuBuffer buffer, ulong byteOffset, Shape shape, DataType type, string name, long[]? strides = null, bool ownsBuffer = false)
    {
        Buffer = buffer;
        ByteOffset = byteOffset;
        Shape = shape;
        Type = type;
        Name = name;
        Strides = strides ?? shape.ContiguousStrides();
        _ownsBuffer = ownsBuffer;
        if (Strides.Count != shape.Rank)
            throw new EngineException($"Tensor '{name}': {Strides.Count} strides for shape {shape}.");
        if (byteOffset + ByteExtent > buffer.Size)
            throw new EngineException($"Tensor '{name}' {shape} at offset {byteOffset} needs {ByteExtent} bytes but {buffer} ends at {buffer.Size}.");
    }

    public GpuBuffer Buffer { get; }

    public ulong ByteOffset { get; }

    public Shape Shape { get; }

    public DataType Type { get; }

    public string Name { get; }

    /// <summary>Element strides per axis.</summary>
    public IReadOnlyList<long> Strides { get; }

    public long ElementCount => Shape.ElementCount;

    /// <summary>Bytes from the first element to one past the last, whatever the strides.</summary>
    public ulong ByteExtent
    {
        get
        {
            if (ElementCount == 0)
                return 0;
            long last = 0;
            for (var i = 0; i < Shape.Rank; i++)
                last += (Shape[i] - 1) * Strides[i];
            return (ulong)((last + 1) * Type.Size());
        }
    }

    public bool IsContiguous => Strides.SequenceEqual(Shape.ContiguousStrides());

    public override string ToString() => $"tensor '{Name}' {Shape} {Type.NumpyName()}";

    /// <summary>The same memory seen with another shape (contiguous tensors only).</summary>
    public Tensor Reshape(Shape shape, string? name = null)
    {
        if (!IsContiguous)
            throw new EngineException($"{this}: cannot reshape a strided view to {shape}.");
        if (shape.ElementCount != ElementCount)
            throw new EngineException($"{this}: cannot reshape {ElementCount} elements to {shape} ({shape.ElementCount} elements).");
        return new Tensor(Buffer, ByteOffset, shape, Type, name ?? Name);
    }

    /// <summary>Copies host data into the tensor (contiguous tensors only), through a staging copy if the memory is not mapped.</summary>
    public void Upload<T>(ReadOnlySpan<T> data) where T : unmanaged => Buffer.Device.Upload(this, data);

    /// <summary>Reads the tensor back to the host after all submitted work is done.</summary>
    public T[] Download<T>() where T : unmanaged => Buffer.Device.Download<T>(this);

    /// <summary>The binding range a descriptor needs: the extent rounded up to whole texels of <paramref name="format"/>.</summary>
    internal ulong BindingRange(VkFormat format)
    {
        var texel = TexelSize(format);
        var range = Math.Max(ByteExtent, texel);
        range = (range + texel - 1) / texel * texel;
        return Math.Min(range, Buffer.Size - ByteOffset) / texel * texel;
    }

    internal static ulong TexelSize(VkFormat format) => format switch
    {
        VkFormat.R32G32B32A32Sfloat or VkFormat.R32G32B32A32Uint => 16,
        VkFormat.R16G16B16A16Sfloat => 8,
        _ => 4,
    };

    public void Dispose()
    {
        if (_ownsBuffer)
            Buffer.Dispose();
    }
}
