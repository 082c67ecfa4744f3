using Engine.Gpu;

namespace Engine.Ops.Detection;

/// <summary>
/// RoIAlign over channels-last feature maps (shaders/detection/roi_align.comp), matching
/// torchvision.ops.roi_align and, over several FPN levels, MultiScaleRoIAlign: each box is pooled
/// from the level its size maps to (<see cref="RoiAlignOptions"/>), clamped to the given levels.
/// Features are (1, 1, H_l, W_l, Cp) with one Cp; boxes (R, 4) in image pixels; the output is
/// (R, 1, oh, ow, Cp), so a box head's fc6 is a Gemm over (R, oh * ow * Cp) and a mask head's convs
/// run with batch R. Rows at or past <c>count</c> are zeros.
/// </summary>
public sealed class RoiAlign : IOp
{
    private const int LocalSize = 64;
    private const int MaxLevels = 5;
    private const int TileC4 = 4;

    private readonly Pipeline _pipeline;
    private readonly Tensor[] _features;
    private readonly Tensor _boxes;
    private readonly Tensor _count;
    private readonly Tensor _output;
    private readonly Push[] _pushes;
    private readonly Groups _groups;

    /// <remarks>
    /// <c>features</c>: 1 to 5 feature maps (1, 1, H, W, Cp), finest first.<br/>
    /// <c>scales</c>: Each level's feature size / image size: 1/4, 1/8, 1/16, 1/32 for P2..P5.<br/>
    /// <c>boxes</c>: (R, 4) float32 boxes.<br/>
    /// <c>output</c>: (R, 1, oh, ow, Cp).<br/>
    /// <c>count</c>: Optional (1) uint32 valid boxes.<br/>
    /// </remarks>
    public RoiAlign(Device device, IReadOnlyList<Tensor> features, IReadOnlyList<float> scales, Tensor boxes, Tensor output, RoiAlignOptions options,
        Tensor? count = null, string name = "roi_align")
    {
        Name = name;
        if (features.Count is 0 or > MaxLevels || scales.Count != features.Count)
            throw new EngineException($"{name}: {features.Count} feature maps with {scales.Count} scales; 1 to {MaxLevels} levels, one scale each.");
        var cp = features[0].Shape[-1];
        foreach (var f in features)
        {
            ChannelsLast.Require(name, "feature map", f);
            if (f.Shape[0] != 1 || f.Shape[1] != 1 || f.Shape[4] != cp || f.Type != DataType.Float32)
                throw new EngineException($"{name}: feature maps {string.Join(", ", features.Select(t => t.Shape))} must be float32 (1, 1, H, W, Cp) with one Cp.");
        }
        var r = DetectionTensors.RequireBoxes(name, "boxes", boxes);
        DetectionTensors.RequireCount(name, "count", count);
        if (options.OutputHeight <= 0 || options.OutputWidth <= 0 || options.SamplingRatio < 0)
            throw new EngineException($"{name}: output {options.OutputHeight}x{options.OutputWidth} and sampling ratio {options.SamplingRatio} must be positive (ratio 0: adaptive).");
        var expected = new Shape(r, 1, options.OutputHeight, options.OutputWidth, cp);
        if (output.Shape != expected || !output.IsContiguous || output.Type != DataType.Float32)
            throw new EngineException($"{name}: output {output.Shape} must be contiguous float32 {expected} for boxes {boxes.Shape}.");
        if (output.ByteExtent > device.Limits.maxStorageBufferRange)
            throw new EngineException($"{name}: output {output} is larger than one storage-buffer binding ({device.Limits.maxStorageBufferRange} bytes); pool fewer boxes per op.");

        var firstLevel = features.Count > 1 ? MathF.Round(-MathF.Log2(scales[0])) : 0;
        (_features, _boxes, _output) = ([.. features], boxes, output);
        _count = count ?? output;
        _pushes = [.. features.Select((f, l) => new Push((uint)r, (uint)options.OutputHeight, (uint)options.OutputWidth, (uint)(cp / 4),
            options.SamplingRatio, firstLevel, options.CanonicalLevel, options.CanonicalSize, options.LevelEpsilon, (uint)l, (uint)f.Shape[2],
            (uint)f.Shape[3], scales[l]))];
        var tiles = (cp / 4 + TileC4 - 1) / TileC4;
        _groups = StridedCopy.FlatGrid(Groups.Cover((long)r * options.OutputHeight * options.OutputWidth * tiles, LocalSize));
        _pipeline = device.Pipeline("detection/roi_align", SpecConstant.UInt(0, (uint)features.Count), SpecConstant.Bool(1, options.Aligned),
            SpecConstant.Bool(2, count is not null), SpecConstant.Bool(3, options.EpsilonInsideLog), SpecConstant.UInt(4, TileC4));
        var samples = options.SamplingRatio > 0 ? options.SamplingRatio * options.SamplingRatio : 4;
        Flops = 8.0 * output.ElementCount * samples;
    }

    public string Name { get; }

    public double Flops { get; }

    /// <summary>One dispatch per level, each pooling the boxes that map to it.</summary>
    public void Record(CommandList list)
    {
        for (var l = 0; l < _features.Length; l++)
            list.Dispatch(_pipeline, _groups, _pushes[l], _features[l], _boxes, _count, _output);
    }

    private readonly record struct Push(uint R, uint OutH, uint OutW, uint C4, int Sampling, float FirstLevel, float CanonicalLevel, float CanonicalSize,
        float Epsilon, uint Level, uint H, uint W, float Scale);
}
