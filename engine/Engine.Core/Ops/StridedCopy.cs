using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// One dispatch of shaders/ops/copy.comp: copies a box of elements between strided views with zero
/// fill outside the source extent. <see cref="Permute"/>, <see cref="Slice"/> and <see cref="Concat"/>
/// are built from it.
/// </summary>
public sealed class StridedCopy
{
    private const int LocalSize = 64;

    private readonly Pipeline _pipeline;
    private readonly Tensor _source;
    private readonly Tensor _destination;
    private readonly Push _push;
    private readonly Groups _groups;

    /// <summary>
    /// Copies the box <paramref name="dims"/>: destination element (dstOffset + sum i_k dstStride_k) gets
    /// source element (srcOffset + sum i_k srcStride_k) when every i_k is below srcExtent_k, else zero.
    /// Offsets are in elements from each tensor's first element.
    /// </summary>
    public StridedCopy(Device device, Tensor source, Tensor destination, ReadOnlySpan<long> dims, ReadOnlySpan<long> srcExtent,
        ReadOnlySpan<long> srcStrides, long srcOffset, ReadOnlySpan<long> dstStrides, long dstOffset, string name)
    {
        if (source.Type != DataType.Float32 || destination.Type != DataType.Float32)
            throw new EngineException($"{name}: only float32 tensors are copied ({source}, {destination}).");
        long count = 1;
        foreach (var d in dims)
            count *= d;
        if (count > int.MaxValue || source.ElementCount > int.MaxValue || destination.ElementCount > int.MaxValue)
            throw new EngineException($"{name}: {source} or {destination} is too large for 32-bit element indices.");
        (_source, _destination) = (source, destination);
        _push = new Push(Int6.RightAligned(dims, 1), Int6.RightAligned(srcExtent, 1), Int6.RightAligned(srcStrides, 0),
            Int6.RightAligned(dstStrides, 0), (int)srcOffset, (int)dstOffset, (uint)count);
        _groups = FlatGrid(Groups.Cover(count, LocalSize));
        _pipeline = device.Pipeline("ops/copy");
        Elements = count;
    }

    public long Elements { get; }

    public void Record(CommandList list) => list.Dispatch(_pipeline, _groups, _push, _source, _destination);

    /// <summary>A 2D grid of <paramref name="groups"/> workgroups for shaders indexing with flat_invocation().</summary>
    internal static Groups FlatGrid(uint groups)
    {
        const uint MaxX = 65535; // the minimum every Vulkan device guarantees
        var x = Math.Max(1, Math.Min(groups, MaxX));
        return new Groups(x, Groups.Cover(groups, x));
    }

    private readonly record struct Push(Int6 Dims, Int6 SrcExtent, Int6 SrcStride, Int6 DstStride, int SrcOffset, int DstOffset, uint Count);
}
