using Engine.Gpu;

namespace Engine.Ops.Detection;

/// <summary>
/// torchvision's heatmaps_to_keypoints (shaders/detection/heatmap_keypoints.comp): each box's K
/// heatmaps resized bicubically to the box's ceil(width) x ceil(height), the first maximum of each
/// taken as the keypoint, (x + 0.5, y + 0.5) mapped back into the box and scaled by
/// <c>ratio</c> (input / resized pixels, torchvision's resize_keypoints), the maximum as its score.
/// Output (R, K, 3) float32 [x, y, score], zeros for rows at or past <c>count</c>.
/// </summary>
public sealed class HeatmapKeypoints : IOp
{
    private readonly Pipeline _pipeline;
    private readonly Tensor _heatmaps;
    private readonly Tensor _boxes;
    private readonly Tensor _count;
    private readonly Tensor _output;
    private readonly Push _push;
    private readonly Groups _groups;

    /// <remarks>
    /// <c>heatmaps</c>: (R, 1, M, M, Cp) channels-last keypoint logits, one channel per keypoint.<br/>
    /// <c>boxes</c>: (R, 4) float32 boxes in the pixels the heatmaps were pooled in (the resized image).<br/>
    /// <c>output</c>: (R, K, 3) float32.<br/>
    /// <c>ratio</c>: (x, y) scale from those pixels to the output's.<br/>
    /// <c>count</c>: Optional (1) uint32 valid rows.<br/>
    /// </remarks>
    public HeatmapKeypoints(Device device, Tensor heatmaps, Tensor boxes, Tensor output, (float X, float Y) ratio, Tensor? count = null, string name = "heatmap_keypoints")
    {
        Name = name;
        ChannelsLast.Require(name, "heatmaps", heatmaps);
        var (r, m, cp) = (heatmaps.Shape[0], heatmaps.Shape[2], heatmaps.Shape[4]);
        if (heatmaps.Shape[1] != 1 || heatmaps.Shape[3] != m || m == 0)
            throw new EngineException($"{name}: heatmaps {heatmaps.Shape} must be (R, 1, M, M, Cp).");
        if (DetectionTensors.RequireBoxes(name, "boxes", boxes) != r)
            throw new EngineException($"{name}: boxes {boxes.Shape} must have one row per heatmap of {heatmaps.Shape}.");
        DetectionTensors.RequireCount(name, "count", count);
        var k = output.Shape.Rank == 3 ? output.Shape[1] : 0;
        if (output.Shape.Rank != 3 || output.Shape[0] != r || k == 0 || k > cp || output.Shape[2] != 3 || output.Type != DataType.Float32 || !output.IsContiguous)
            throw new EngineException($"{name}: output {output.Shape} must be contiguous float32 ({r}, K, 3) with K at most the heatmaps' {cp} channels.");
        (_heatmaps, _boxes, _output) = (heatmaps, boxes, output);
        _count = count ?? boxes;
        _push = new Push((uint)r, (uint)k, (uint)(cp / 4), ratio.X, ratio.Y);
        _groups = StridedCopy.FlatGrid(device, (uint)(r * k));
        _pipeline = device.Pipeline("detection/heatmap_keypoints", SpecConstant.Bool(0, count is not null), SpecConstant.UInt(1, (uint)m));
    }

    public string Name { get; }

    public double Flops => 0;

    public void Record(CommandList list) => list.Dispatch(_pipeline, _groups, _push, _heatmaps, _boxes, _count, _output);

    private readonly record struct Push(uint Rows, uint K, uint C4, float RatioX, float RatioY);
}
