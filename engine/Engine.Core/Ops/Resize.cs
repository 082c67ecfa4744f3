using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// Resizes the H and W axes of a channels-last activation to the output's size (shaders/ops/resize.comp),
/// as PyTorch's F.interpolate(size=...) in 'nearest' or 'bilinear' mode with align_corners false or
/// true. "Nearest to an exact size" (FPN's top-down path) is the nearest mode with any output size.
/// </summary>
public sealed class Resize : IOp
{
    private const int LocalSize = 8;

    private readonly Pipeline _pipeline;
    private readonly Tensor _input;
    private readonly Tensor _output;
    private readonly Push _push;
    private readonly Groups _groups;

    public Resize(Device device, Tensor input, Tensor output, ResizeMode mode, string name = "resize")
    {
        Name = name;
        ChannelsLast.Require(name, "input", input);
        ChannelsLast.Require(name, "output", output);
        var (si, so) = (input.Shape, output.Shape);
        if (si[0] != so[0] || si[1] != so[1] || si[4] != so[4] || so[2] == 0 || so[3] == 0)
            throw new EngineException($"{name}: output {so} must differ from input {si} in H and W only.");
        (_input, _output) = (input, output);
        var pixels = so.ElementCount / so[4];
        _push = new Push(new Int4(si[1], si[2], si[3], si[4] / 4), new Int4(so[1], so[2], so[3]),
            Scale(si[2], so[2], mode), Scale(si[3], so[3], mode), (uint)pixels);
        _groups = RowGrid.Of(device, Groups.Cover(si[4] / 4, LocalSize), (uint)pixels);
        _pipeline = device.Pipeline("ops/resize", SpecConstant.Bool(0, mode == ResizeMode.Nearest), SpecConstant.Bool(1, mode == ResizeMode.BilinearAlignCorners));
        Flops = mode == ResizeMode.Nearest ? 0 : 8.0 * output.ElementCount;
    }

    public string Name { get; }

    public double Flops { get; }

    /// <summary>PyTorch's source-per-destination scale for a given output size, in fp32 as it computes it.</summary>
    private static float Scale(int input, int output, ResizeMode mode) => mode == ResizeMode.BilinearAlignCorners
        ? output > 1 ? (float)(input - 1) / (output - 1) : 0f
        : (float)input / output;

    public void Record(CommandList list) => list.Dispatch(_pipeline, _groups, _push, _input, _output);

    private readonly record struct Push(Int4 InDims, Int4 OutDims, float ScaleH, float ScaleW, uint Pixels);
}
