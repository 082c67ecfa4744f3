using Engine.Gpu;

namespace Engine.Ops.Detection;

/// <summary>
/// The anchors of one feature level exactly as torchvision's AnchorGenerator makes them
/// (shaders/detection/anchors.comp): base anchors round([-w, -h, w, h] / 2) for every
/// (ratio, size) pair, ratio-major, with h = size * sqrt(ratio) and w = size / sqrt(ratio) in fp32,
/// shifted by (x * strideX, y * strideY) for every cell, in order (H, W, A). The output is
/// (H * W * A, 4) float32 with A = ratios x sizes (at most 6). Other base anchors (detectron2's
/// unrounded cell anchors) are given as they are.
/// </summary>
public sealed class Anchors : IOp
{
    private const int LocalSize = 64;
    private const int MaxBase = 6;

    private readonly Pipeline _pipeline;
    private readonly Tensor _output;
    private readonly Push _push;
    private readonly Groups _groups;

    /// <remarks>
    /// <c>strideY</c>: Image rows per feature row: torchvision's image_height // feature_height.<br/>
    /// <c>strideX</c>: Image columns per feature column: image_width // feature_width.<br/>
    /// </remarks>
    public Anchors(Device device, Tensor output, int featureHeight, int featureWidth, int strideY, int strideX,
        IReadOnlyList<float> sizes, IReadOnlyList<float> aspectRatios, string name = "anchors")
        : this(device, output, featureHeight, featureWidth, strideY, strideX, BaseAnchors(sizes, aspectRatios), name)
    {
    }

    /// <summary>Anchors around the given base anchors: (A, 4) row-major x0, y0, x1, y1 values.</summary>
    public Anchors(Device device, Tensor output, int featureHeight, int featureWidth, int strideY, int strideX, float[] baseAnchors, string name)
    {
        Name = name;
        var a = baseAnchors.Length / 4;
        if (a == 0 || a > MaxBase || baseAnchors.Length % 4 != 0)
            throw new EngineException($"{name}: {baseAnchors.Length} base anchor values give {a} anchors per cell; 1 to {MaxBase} of 4 values each are supported.");
        if (featureHeight <= 0 || featureWidth <= 0 || strideY <= 0 || strideX <= 0)
            throw new EngineException($"{name}: feature size {featureHeight}x{featureWidth} and strides {strideY}x{strideX} must be positive.");
        var rows = (long)featureHeight * featureWidth * a;
        if (DetectionTensors.RequireBoxes(name, "output", output) != rows)
            throw new EngineException($"{name}: output {output.Shape} must be ({rows}, 4) for a {featureHeight}x{featureWidth} grid with {a} anchors per cell.");
        _output = output;
        var packed = new BaseValues();
        baseAnchors.CopyTo(packed);
        _push = new Push((uint)featureHeight, (uint)featureWidth, (uint)a, (uint)strideY, (uint)strideX, 0, 0, 0, packed);
        _groups = StridedCopy.FlatGrid(device, Groups.Cover(rows, LocalSize));
        _pipeline = device.Pipeline("detection/anchors");
    }

    public string Name { get; }

    public double Flops => 0;

    /// <summary>torchvision's generate_anchors in fp32: (A, 4) row-major, ratio-major, rounded half to even.</summary>
    public static float[] BaseAnchors(IReadOnlyList<float> sizes, IReadOnlyList<float> aspectRatios)
    {
        var result = new float[sizes.Count * aspectRatios.Count * 4];
        var i = 0;
        foreach (var ratio in aspectRatios)
        {
            var h = MathF.Sqrt(ratio);
            var w = 1f / h;
            foreach (var size in sizes)
            {
                var (ws, hs) = (w * size, h * size);
                result[i++] = MathF.Round(-ws / 2, MidpointRounding.ToEven);
                result[i++] = MathF.Round(-hs / 2, MidpointRounding.ToEven);
                result[i++] = MathF.Round(ws / 2, MidpointRounding.ToEven);
                result[i++] = MathF.Round(hs / 2, MidpointRounding.ToEven);
            }
        }
        return result;
    }

    /// <summary>
    /// detectron2's cell anchors (modeling/anchor_generator.py:DefaultAnchorGenerator.generate_cell_anchors):
    /// size-major then ratio, w = sqrt(size^2 / ratio) and h = ratio * w in double, (-w/2, -h/2, w/2, h/2)
    /// not rounded, then stored as fp32 (torch.tensor of the Python floats).
    /// </summary>
    public static float[] Detectron2CellAnchors(IReadOnlyList<float> sizes, IReadOnlyList<float> aspectRatios)
    {
        var result = new float[sizes.Count * aspectRatios.Count * 4];
        var i = 0;
        foreach (double size in sizes)
        {
            foreach (double ratio in aspectRatios)
            {
                var w = Math.Sqrt(size * size / ratio);
                var h = ratio * w;
                result[i++] = (float)(-w / 2);
                result[i++] = (float)(-h / 2);
                result[i++] = (float)(w / 2);
                result[i++] = (float)(h / 2);
            }
        }
        return result;
    }

    public void Record(CommandList list) => list.Dispatch(_pipeline, _groups, _push, _output);

    [System.Runtime.CompilerServices.InlineArray(MaxBase * 4)]
    private struct BaseValues
    {
        private float _element;
    }

    private readonly record struct Push(uint H, uint W, uint A, uint StrideY, uint StrideX, uint Pad0, uint Pad1, uint Pad2, BaseValues Base);
}
