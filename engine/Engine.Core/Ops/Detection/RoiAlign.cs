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

    /// <summary>
    /// Texels per invocation (a loop, so fewer channels cost nothing): the bin's sample offsets and
    /// weights are computed once for up to 256 channels. 64 was the fastest tile measured on lavapipe
    /// (docs/bench-log.md, 2026-11-22).
    /// </summary>
    private const int TileC4 = 64;

    /// <summary>Fixed sampling ratios up to this have their samples computed once per invocation (the kernel's MAX_FIXED).</summary>
    private const int MaxFixedSampling = 4;

    private readonly Pipeline _pipeline;
    private readonly Tensor[] _bindings;
    private readonly Push _push;
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
        : this(device, features, scales, boxes, output, options, count, name, TileC4)
    {
    }

    /// <summary>As the public constructor with the channel tile forced (tests of channels spanning several tiles).</summary>
    internal RoiAlign(Device device, IReadOnlyList<Tensor> features, IReadOnlyList<float> scales, Tensor boxes, Tensor output, RoiAlignOptions options,
        Tensor? count, string name, int tileC4)
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
        // Every level binding is filled; those past the given levels repeat the first and are never read.
        _bindings = [.. Enumerable.Range(0, MaxLevels).Select(l => features[l < features.Count ? l : 0]), boxes, count ?? output, output];
        uint H(int l) => (uint)_bindings[l].Shape[2];
        uint W(int l) => (uint)_bindings[l].Shape[3];
        float S(int l) => l < scales.Count ? scales[l] : scales[0];
        _push = new Push((uint)r, (uint)options.OutputHeight, (uint)options.OutputWidth, (uint)(cp / 4), options.SamplingRatio, firstLevel,
            options.CanonicalLevel, options.CanonicalSize, options.LevelEpsilon, H(0), H(1), H(2), H(3), H(4), W(0), W(1), W(2), W(3), W(4),
            S(0), S(1), S(2), S(3), S(4));
        var tiles = (cp / 4 + tileC4 - 1) / tileC4;
        _groups = StridedCopy.FlatGrid(device, Groups.Cover((long)r * options.OutputHeight * options.OutputWidth * tiles, LocalSize));
        var fixedSampling = options.SamplingRatio <= MaxFixedSampling ? (uint)options.SamplingRatio : 0;
        _pipeline = device.Pipeline("detection/roi_align", SpecConstant.UInt(0, (uint)features.Count), SpecConstant.Bool(1, options.Aligned),
            SpecConstant.Bool(2, count is not null), SpecConstant.Bool(3, options.EpsilonInsideLog), SpecConstant.UInt(4, (uint)tileC4),
            SpecConstant.UInt(5, fixedSampling));
        var samples = options.SamplingRatio > 0 ? options.SamplingRatio * options.SamplingRatio : 4;
        Flops = 8.0 * output.ElementCount * samples;
    }

    public string Name { get; }

    public double Flops { get; }

    /// <summary>One dispatch for every level: each box is pooled from the level it maps to.</summary>
    public void Record(CommandList list) => list.Dispatch(_pipeline, _groups, _push, _bindings);

    private readonly record struct Push(uint R, uint OutH, uint OutW, uint C4, int Sampling, float FirstLevel, float CanonicalLevel, float CanonicalSize,
        float Epsilon, uint H0, uint H1, uint H2, uint H3, uint H4, uint W0, uint W1, uint W2, uint W3, uint W4,
        float Scale0, float Scale1, float Scale2, float Scale3, float Scale4);
}
