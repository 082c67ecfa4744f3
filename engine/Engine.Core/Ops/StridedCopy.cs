using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// A strided copy (shaders/ops/copy.comp): copies a box of elements between strided views with zero
/// fill outside the source extent. <see cref="Permute"/>, <see cref="Slice"/> and <see cref="Concat"/>
/// are built from it. The box has 6 axes (leading unit axes added) and one dispatch covers it with a 3D
/// grid (<see cref="Box.Grid"/>). A destination larger than one storage-buffer binding is written in
/// chunks of whole slices along the box's outermost non-unit axis (recursing inward when one slice is
/// too big); a box beyond the grid's limits is halved along the axis that overflows.
/// </summary>
public sealed class StridedCopy
{
    private const int LocalSize = 64;

    private readonly List<(Pipeline Pipeline, Push Push, Groups Groups, Tensor Destination)> _dispatches = [];
    private readonly Pipeline _single;
    private readonly Pipeline _runOf4;
    private readonly Tensor _source;

    /// <summary>
    /// Copies the box <paramref name="dims"/>: destination element (dstOffset + sum i_k dstStride_k) gets
    /// source element (srcOffset + sum i_k srcStride_k) when every i_k is below srcExtent_k, else zero.
    /// Offsets are in elements from each tensor's first element; strides must not be negative.
    /// </summary>
    public StridedCopy(Device device, Tensor source, Tensor destination, ReadOnlySpan<long> dims, ReadOnlySpan<long> srcExtent,
        ReadOnlySpan<long> srcStrides, long srcOffset, ReadOnlySpan<long> dstStrides, long dstOffset, string name)
        : this(device, source, destination, dims, srcExtent, srcStrides, srcOffset, dstStrides, dstOffset, name, device.Limits.maxStorageBufferRange)
    {
    }

    /// <summary>As the public constructor, with the destination chunk size forced (tests of the chunked path).</summary>
    internal StridedCopy(Device device, Tensor source, Tensor destination, ReadOnlySpan<long> dims, ReadOnlySpan<long> srcExtent,
        ReadOnlySpan<long> srcStrides, long srcOffset, ReadOnlySpan<long> dstStrides, long dstOffset, string name, ulong maxChunkBytes)
    {
        if (source.Type != DataType.Float32 || destination.Type != DataType.Float32)
            throw new EngineException($"{name}: only float32 tensors are copied ({source}, {destination}).");
        long count = 1;
        foreach (var d in dims)
            count *= d;
        if (count > int.MaxValue || source.ElementCount > int.MaxValue || destination.ElementCount > int.MaxValue)
            throw new EngineException($"{name}: {source} or {destination} is too large for 32-bit element indices.");
        foreach (var s in dstStrides)
        {
            if (s < 0)
                throw new EngineException($"{name}: destination strides must not be negative.");
        }
        _source = source;
        _single = device.Pipeline("ops/copy");
        _runOf4 = device.Pipeline("ops/copy", SpecConstant.Int(0, 4));
        Elements = count;
        var limits = device.Limits;
        var box = new Box(SixAxes(dims, 1), SixAxes(srcExtent, 1), SixAxes(srcStrides, 0), srcOffset, SixAxes(dstStrides, 0), dstOffset);
        Split(device, name, destination, box, maxChunkBytes, limits.minStorageBufferOffsetAlignment);
    }

    public long Elements { get; }

    /// <summary>Dispatches per run (more than one when the destination is chunked).</summary>
    public int DispatchCount => _dispatches.Count;

    public void Record(CommandList list)
    {
        foreach (var (pipeline, push, groups, destination) in _dispatches)
            list.Dispatch(pipeline, groups, push, _source, destination);
    }

    /// <summary>A 2D grid of <paramref name="groups"/> workgroups for shaders indexing with flat_invocation(): x up to the device's limit, the rest in y.</summary>
    internal static Groups FlatGrid(Device device, uint groups)
    {
        var x = Math.Max(1, Math.Min(groups, device.MaxGroupsX));
        return new Groups(x, Groups.Cover(groups, x));
    }

    /// <summary>Six axes as in the push constants (<see cref="Int6.RightAligned"/>), kept as longs for the box arithmetic.</summary>
    private static long[] SixAxes(ReadOnlySpan<long> values, int fill)
    {
        var axes = Int6.RightAligned(values, fill);
        var result = new long[6];
        for (var i = 0; i < 6; i++)
            result[i] = axes[i];
        return result;
    }

    private void Split(Device device, string name, Tensor destination, Box box, ulong maxBytes, ulong alignment)
    {
        var span = box.DstSpan();
        if (span.Count == 0)
            return;
        // The view starts at the aligned byte at or below the box's first element.
        var first = destination.ByteOffset + (ulong)span.First * sizeof(float);
        var viewStart = first / alignment * alignment;
        var bytes = first - viewStart + (ulong)span.Count * sizeof(float);
        var gridAxis = box.OverGrid(device);
        if (bytes <= maxBytes && gridAxis < 0)
        {
            var view = new Tensor(destination.Buffer, viewStart, new Shape(checked((int)(bytes / sizeof(float)))), DataType.Float32, destination.Name);
            var shift = (long)(first - viewStart) / sizeof(float) - span.First;
            var push = new Push(Int6.RightAligned(box.Dims, 1), Int6.RightAligned(box.SrcExtent, 1), Int6.RightAligned(box.SrcStrides, 0),
                Int6.RightAligned(box.DstStrides, 0), checked((int)box.SrcOffset), checked((int)(box.DstOffset + shift)));
            _dispatches.Add((box.Run == 4 ? _runOf4 : _single, push, box.Grid(), view));
            return;
        }
        // Halve the outermost non-unit axis until each part fits a binding (a part of one slice
        // recurses inward), or the axis that overflows the grid.
        var axis = bytes <= maxBytes ? gridAxis : Array.FindIndex(box.Dims, d => d > 1);
        if (axis < 0)
            throw new EngineException($"{name}: one element does not fit a {maxBytes}-byte binding.");
        var half = box.Dims[axis] / 2;
        Split(device, name, destination, box.Part(axis, 0, half), maxBytes, alignment);
        Split(device, name, destination, box.Part(axis, half, box.Dims[axis] - half), maxBytes, alignment);
    }

    private sealed record Box(long[] Dims, long[] SrcExtent, long[] SrcStrides, long SrcOffset, long[] DstStrides, long DstOffset)
    {
        public long Elements => Dims.Aggregate(1L, (a, d) => a * d);

        /// <summary>Elements of the innermost axis per invocation: 4 when they divide it (the channels-last texel), else 1.</summary>
        public int Run => Dims[5] % 4 == 0 ? 4 : 1;

        /// <summary>
        /// The grid of ops/copy: x over the two innermost axes (runs of <see cref="Run"/>), y the third
        /// from last, z the three outer ones.
        /// </summary>
        public Groups Grid() => new(Groups.Cover(Dims[4] * Dims[5] / Run, LocalSize), (uint)Dims[3], (uint)(Dims[0] * Dims[1] * Dims[2]));

        /// <summary>
        /// The axis to halve so that the grid fits the device's group counts along y and z and x and z
        /// stay below the bound of divmod_small, or -1 when it fits.
        /// </summary>
        public int OverGrid(Device device)
        {
            if (Dims[4] * Dims[5] >= DivmodSmall.Limit)
                return Dims[4] > 1 ? 4 : 5;
            if (Dims[3] > device.MaxGroupsY)
                return 3;
            if (Dims[0] * Dims[1] * Dims[2] >= Math.Min(device.MaxGroupsZ + 1L, DivmodSmall.Limit))
                return Array.FindIndex(Dims, d => d > 1);
            return -1;
        }

        /// <summary>First destination element and the number of elements up to the last one.</summary>
        public (long First, long Count) DstSpan()
        {
            if (Elements == 0)
                return (0, 0);
            long last = 0;
            for (var k = 0; k < Dims.Length; k++)
                last += (Dims[k] - 1) * DstStrides[k];
            return (DstOffset, last + 1);
        }

        /// <summary>Slices [start, start + length) of <paramref name="axis"/>: the source extent shrinks with the shift.</summary>
        public Box Part(int axis, long start, long length)
        {
            var dims = (long[])Dims.Clone();
            var extent = (long[])SrcExtent.Clone();
            dims[axis] = length;
            extent[axis] = Math.Max(0, SrcExtent[axis] - start);
            var srcOffset = extent[axis] > 0 ? SrcOffset + start * SrcStrides[axis] : SrcOffset;
            return this with { Dims = dims, SrcExtent = extent, SrcOffset = srcOffset, DstOffset = DstOffset + start * DstStrides[axis] };
        }
    }

    private readonly record struct Push(Int6 Dims, Int6 SrcExtent, Int6 SrcStride, Int6 DstStride, int SrcOffset, int DstOffset);
}
