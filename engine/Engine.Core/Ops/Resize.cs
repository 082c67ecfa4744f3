using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// Resizes the H and W axes of a channels-last activation to the output's size (shaders/ops/resize.comp),
/// as PyTorch's F.interpolate(size=...) in 'nearest' or 'bilinear' mode with align_corners false or
/// true. "Nearest to an exact size" (FPN's top-down path) is the nearest mode with any output size.
/// An output larger than one storage-buffer binding is resized in chunks of whole frames (N * T)
/// bound at aligned offsets (<see cref="RowChunks"/>); only a single frame larger than a binding is
/// refused.
/// </summary>
public sealed class Resize : IOp
{
    private const int LocalSize = 8;

    private readonly Pipeline _pipeline;
    private readonly List<(Tensor Input, Tensor Output, Push Push, Groups Groups)> _chunks = [];

    public Resize(Device device, Tensor input, Tensor output, ResizeMode mode, string name = "resize")
    {
        Name = name;
        ChannelsLast.Require(name, "input", input);
        ChannelsLast.Require(name, "output", output);
        var (si, so) = (input.Shape, output.Shape);
        if (si[0] != so[0] || si[1] != so[1] || si[4] != so[4] || so[2] == 0 || so[3] == 0)
            throw new EngineException($"{name}: output {so} must differ from input {si} in H and W only.");
        _pipeline = device.Pipeline("ops/resize", SpecConstant.Bool(0, mode == ResizeMode.Nearest), SpecConstant.Bool(1, mode == ResizeMode.BilinearAlignCorners));
        Flops = mode == ResizeMode.Nearest ? 0 : 8.0 * output.ElementCount;
        var frames = si[0] * si[1];
        if (frames == 0 || si[4] == 0)
            return;

        // Frames are independent: a chunk is frames [f0, f0 + count) of both, seen as one clip of count frames.
        var (inFrame, outFrame) = (si[2] * si[3] * si[4], so[2] * so[3] * so[4]);
        var limits = device.Limits;
        if (outFrame * 4L > (long)limits.maxStorageBufferRange)
            throw new EngineException($"{name}: one frame of output {so} is larger than one storage-buffer binding ({limits.maxStorageBufferRange} bytes).");
        var (input2, output2) = (input.Reshape(new Shape(frames, inFrame)), output.Reshape(new Shape(frames, outFrame)));
        var alignment = device.BindingAlignment;
        foreach (var (f0, count) in RowChunks.Split(frames, limits.maxStorageBufferRange, alignment, outFrame * 4L, inFrame * 4L))
        {
            var n = (int)count;
            var pixels = (long)n * so[2] * so[3];
            _chunks.Add((RowChunks.View(input2, f0, n, inFrame).Reshape(new Shape(1, n, si[2], si[3], si[4])),
                RowChunks.View(output2, f0, n, outFrame).Reshape(new Shape(1, n, so[2], so[3], so[4])),
                new Push(new Int4(n, si[2], si[3], si[4] / 4), new Int4(n, so[2], so[3]), Scale(si[2], so[2], mode), Scale(si[3], so[3], mode), (uint)pixels),
                RowGrid.Of(device, Groups.Cover(si[4] / 4, LocalSize), (uint)pixels)));
        }
    }

    public string Name { get; }

    public double Flops { get; }

    /// <summary>PyTorch's source-per-destination scale for a given output size, in fp32 as it computes it.</summary>
    private static float Scale(int input, int output, ResizeMode mode) => mode == ResizeMode.BilinearAlignCorners
        ? output > 1 ? (float)(input - 1) / (output - 1) : 0f
        : (float)input / output;

    /// <summary>Dispatches the op records: one unless the output is larger than one storage-buffer binding.</summary>
    public int Chunks => _chunks.Count;

    public void Record(CommandList list)
    {
        foreach (var (input, output, push, groups) in _chunks)
            list.Dispatch(_pipeline, groups, push, input, output);
    }

    private readonly record struct Push(Int4 InDims, Int4 OutDims, float ScaleH, float ScaleW, uint Pixels);
}
