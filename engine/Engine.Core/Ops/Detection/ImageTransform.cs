using Engine.Contracts;
using Engine.Gpu;

namespace Engine.Ops.Detection;

/// <summary>
/// A detector's input transform in one dispatch (shaders/detection/image_transform.comp): a planar
/// (3, H, W) image (or a channels-last (1, 1, H, W, 4) one, as the live host delivers frames) is normalised, resized bilinear (align_corners=False) to <see cref="ResizedSize"/>
/// and zero-padded bottom/right into the channels-last network input (1, 1, Hp, Wp, 4), as
/// torchvision's GeneralizedRCNNTransform does for one image.
/// </summary>
public sealed class ImageTransform : IOp
{
    private const int LocalSize = 64;

    private readonly Pipeline _pipeline;
    private readonly Tensor _image;
    private readonly Tensor _output;
    private readonly Push _push;
    private readonly Groups _groups;

    public ImageTransform(Device device, Tensor image, Tensor output, Normalization normalization, (int H, int W) resized, string name = "transform")
    {
        Name = name;
        var channelsLast = image.Shape.Rank == 5;
        if (channelsLast)
        {
            if (image.Shape[0] != 1 || image.Shape[1] != 1 || image.Shape[4] != 4 || !image.IsContiguous)
                throw new EngineException($"{name}: a channels-last image {image.Shape} must be a contiguous (1, 1, H, W, 4).");
        }
        else if (image.Shape.ElementCount % 3 != 0 || image.Shape.Rank < 2 || !image.IsContiguous)
            throw new EngineException($"{name}: image {image.Shape} must be a contiguous planar (3, H, W) image.");
        var (h, w) = channelsLast ? (image.Shape[2], image.Shape[3]) : (image.Shape[-2], image.Shape[-1]);
        if (!channelsLast && image.Shape.ElementCount != 3L * h * w)
            throw new EngineException($"{name}: image {image.Shape} must hold 3 planes of {h}x{w}.");
        ChannelsLast.Require(name, "output", output);
        var (hp, wp) = (output.Shape[2], output.Shape[3]);
        if (output.Shape[0] != 1 || output.Shape[1] != 1 || output.Shape[4] != 4 || resized.H > hp || resized.W > wp || resized.H <= 0 || resized.W <= 0)
            throw new EngineException($"{name}: output {output.Shape} must be (1, 1, Hp, Wp, 4) with Hp x Wp holding the resized {resized.H}x{resized.W}.");
        if (normalization.Mean.Count != 3 || normalization.Std.Count != 3)
            throw new EngineException($"{name}: normalisation needs three means and three standard deviations.");
        (_image, _output) = (image, output);
        ResizedSize = resized;
        _push = new Push(new Int4(h, w, resized.H, resized.W), new Int4(hp, wp, normalization.Bgr ? 1 : 0),
            new Float4((float)normalization.Mean[0], (float)normalization.Mean[1], (float)normalization.Mean[2], 0),
            new Float4((float)normalization.Std[0], (float)normalization.Std[1], (float)normalization.Std[2], 1),
            new Float4((float)normalization.Scale, (float)h / resized.H, (float)w / resized.W, 0));
        _groups = StridedCopy.FlatGrid(device, Groups.Cover((long)hp * wp, LocalSize));
        _pipeline = device.Pipeline("detection/image_transform", SpecConstant.Bool(0, channelsLast));
    }

    public string Name { get; }

    public (int H, int W) ResizedSize { get; }

    public double Flops => 0;

    /// <summary>
    /// torchvision's resized size: the scale min(minSize / short, maxSize / long) in fp32 as PyTorch
    /// evaluates `float / tensor` (the tensor's reciprocal times the float, so 320 / 200 is 1.5999999),
    /// each side floor(side * scale) in double (F.interpolate with recompute_scale_factor=True).
    /// </summary>
    public static (int H, int W) ResizedSizeOf(int height, int width, int minSize, int maxSize)
    {
        var scale = Math.Min(1f / Math.Min(height, width) * minSize, 1f / Math.Max(height, width) * maxSize);
        return ((int)Math.Floor(height * (double)scale), (int)Math.Floor(width * (double)scale));
    }

    /// <summary>A size rounded up to a multiple of <paramref name="divisor"/> (torchvision's size_divisible, 32).</summary>
    public static (int H, int W) Padded((int H, int W) size, int divisor = 32) =>
        ((size.H + divisor - 1) / divisor * divisor, (size.W + divisor - 1) / divisor * divisor);

    public void Record(CommandList list) => list.Dispatch(_pipeline, _groups, _push, _image, _output);

    private readonly record struct Float4(float X, float Y, float Z, float W);

    private readonly record struct Push(Int4 Dims, Int4 Padded, Float4 Mean, Float4 Std, Float4 Scale);
}
