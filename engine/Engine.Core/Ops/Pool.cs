using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// Max or average pooling over (T, H, W) of channels-last activations (shaders/ops/pool.comp), with
/// PyTorch's semantics: symmetric padding, floor or ceil mode (a ceil window must start inside the
/// input or its left padding), max ignoring padding, average dividing by the padded window
/// (count_include_pad) or by the taps inside the input. Caffe2's unpadded stem pool is padding 0,
/// floor. Global average pooling is <see cref="GlobalAverage"/>. Outputs of 2^21 lines (N * To * Ho)
/// or more, or lines of 2^21 texels or more, are refused (the kernel's index split is exact below that).
/// </summary>
public sealed class Pool : IOp
{
    private const int LocalSize = 64;

    private readonly List<Action<CommandList>> _dispatches = [];

    public Pool(Device device, PoolKind kind, Tensor input, Tensor output, Size3 kernel, Size3? stride = null, Size3? padding = null,
        bool ceilMode = false, bool countIncludePad = true, string name = "pool")
        : this(device, kind, input, output, kernel, stride, padding, ceilMode, countIncludePad, name, device.Limits.maxStorageBufferRange)
    {
    }

    /// <summary>As the public constructor, with the output chunk size forced (tests of the chunked path).</summary>
    internal Pool(Device device, PoolKind kind, Tensor input, Tensor output, Size3 kernel, Size3? stride, Size3? padding,
        bool ceilMode, bool countIncludePad, string name, ulong maxChunkBytes)
    {
        Name = name;
        var s = stride ?? kernel;
        var pad = padding ?? Size3.Cube(0);
        var what = $"{name} ({kind} k{kernel} s{s} p{pad}{(ceilMode ? " ceil" : "")})";
        ChannelsLast.Require(what, "input", input);
        ChannelsLast.Require(what, "output", output);
        var inSize = new Size3(input.Shape[1], input.Shape[2], input.Shape[3]);
        var outSize = OutputSize(what, inSize, kernel, s, pad, ceilMode);
        var expected = new Shape(input.Shape[0], outSize.T, outSize.H, outSize.W, input.Shape[4]);
        if (output.Shape != expected)
            throw new EngineException($"{what}: input {input.Shape} gives output {expected}, not {output.Shape}.");
        var channels = input.Shape[4];
        // The kernel splits its line and its (column, channel texel) index with divmod_small.
        var lines = (long)expected[0] * outSize.T * outSize.H;
        var lineTexels = (long)outSize.W * channels / 4;
        if (lines >= DivmodSmall.Limit || lineTexels >= DivmodSmall.Limit)
            throw new EngineException($"{what}: output {expected} has {lines} lines (N * To * Ho) of {lineTexels} texels (Wo * C/4); both must be below {DivmodSmall.Limit}.");
        var pipeline = device.Pipeline("ops/pool", SpecConstant.Bool(0, kind == PoolKind.Average), SpecConstant.Bool(1, countIncludePad));
        var limits = device.Limits;
        var alignment = limits.minStorageBufferOffsetAlignment;
        var lineFloats = (int)(lineTexels * 4);
        var rows = output.Reshape(new Shape((int)lines, lineFloats));
        foreach (var (start, count) in RowChunks.Split(lines, maxChunkBytes, alignment, lineFloats * sizeof(float)))
        {
            var view = RowChunks.View(rows, start, count, lineFloats);
            var push = new Push(Int4.Of(inSize, channels / 4), Int4.Of(outSize), Int4.Of(kernel), Int4.Of(s), Int4.Of(pad), (uint)start, (uint)count);
            var groups = RowGrid.Of(device, Groups.Cover(lineTexels, LocalSize), (uint)count);
            _dispatches.Add(list => list.Dispatch(pipeline, groups, push, input, view));
        }
        Flops = (double)expected.ElementCount * kernel.Volume;
    }

    public string Name { get; }

    /// <summary>Comparisons or additions, one per window tap.</summary>
    public double Flops { get; }

    /// <summary>Average over all of T, H and W: (N, T, H, W, C) to (N, 1, 1, 1, C).</summary>
    public static Pool GlobalAverage(Device device, Tensor input, Tensor output, string name = "global_pool") =>
        new(device, PoolKind.Average, input, output, new Size3(input.Shape[1], input.Shape[2], input.Shape[3]), name: name);

    /// <summary>PyTorch's pooled extent per axis in floor or ceil mode.</summary>
    public static Size3 OutputSize(string op, Size3 input, Size3 kernel, Size3 stride, Size3 padding, bool ceilMode) => new(
        Extent(op, input.T, kernel.T, stride.T, padding.T, ceilMode),
        Extent(op, input.H, kernel.H, stride.H, padding.H, ceilMode),
        Extent(op, input.W, kernel.W, stride.W, padding.W, ceilMode));

    private static int Extent(string op, int input, int kernel, int stride, int pad, bool ceil)
    {
        if (kernel <= 0 || stride <= 0 || pad < 0 || 2 * pad > kernel)
            throw new EngineException($"{op}: kernel and stride must be positive and padding at most half the kernel.");
        var span = input + 2 * pad - kernel;
        if (span < 0)
            throw new EngineException($"{op}: an input extent of {input} is smaller than the kernel {kernel} with padding {pad}.");
        var extent = (ceil ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceil && (extent - 1) * stride >= input + pad)
            extent--;
        return extent;
    }

    /// <summary>Dispatches per run (more than one when the output is chunked).</summary>
    public int DispatchCount => _dispatches.Count;

    public void Record(CommandList list)
    {
        foreach (var dispatch in _dispatches)
            dispatch(list);
    }

    private readonly record struct Push(Int4 InDims, Int4 OutDims, Int4 Kernel, Int4 Stride, Int4 Padding, uint Line0, uint Lines);
}
