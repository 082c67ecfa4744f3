using Engine.Gpu;

namespace Engine.Ops.Detection;

/// <summary>
/// Score threshold with stream compaction (shaders/detection/score_filter.comp): writes the flat
/// indices i of <c>scores</c> (R) or (R, K) whose score passes — above the threshold, or at least it
/// when <c>inclusive</c>; the sigmoid of the score when <c>sigmoid</c> — whose column i % K is not
/// <c>excludeColumn</c> (the background class), whose row is below <c>rowCount</c>, and whose box i is
/// at least <c>minSize</c> wide and high when <c>boxes</c> is given (torchvision's remove_small_boxes).
/// Indices are appended through an atomic counter into <c>kept</c> (as long as the scores) and
/// <c>keptCount</c>: their order is unspecified, so consumers (<see cref="TopK"/>, <see cref="Nms"/>)
/// sort and break ties by the index itself.
/// </summary>
public sealed class ScoreFilter : IOp
{
    private const int LocalSize = 64;

    private readonly Pipeline _pipeline;
    private readonly Tensor _scores;
    private readonly Tensor _boxes;
    private readonly Tensor _rowCount;
    private readonly Tensor _kept;
    private readonly Tensor _keptCount;
    private readonly Push _push;
    private readonly Groups _groups;

    /// <remarks>
    /// <c>scores</c>: (R) or (R, K) float32.<br/>
    /// <c>kept</c>: (R * K) int32 flat indices, valid up to <paramref name="keptCount"/>.<br/>
    /// <c>keptCount</c>: (1) uint32.<br/>
    /// <c>boxes</c>: Optional boxes (R * K, 4) or (R, K, 4) for the minimum size filter.<br/>
    /// <c>rowCount</c>: Optional (1) uint32: rows of <paramref name="scores"/> past it are not candidates.<br/>
    /// </remarks>
    public ScoreFilter(Device device, Tensor scores, Tensor kept, Tensor keptCount, float threshold, bool inclusive = false, bool sigmoid = false,
        int? excludeColumn = null, Tensor? boxes = null, float minSize = 0, Tensor? rowCount = null, string name = "score_filter")
    {
        Name = name;
        var n = DetectionTensors.RequireVector(name, "scores", scores, DataType.Float32);
        if (scores.Shape.Rank > 2)
            throw new EngineException($"{name}: scores {scores.Shape} must be (R) or (R, K).");
        var k = scores.Shape.Rank == 2 ? scores.Shape[1] : 1;
        if (DetectionTensors.RequireVector(name, "kept", kept, DataType.Int32) != n)
            throw new EngineException($"{name}: kept {kept.Shape} must hold {n} indices, one per score of {scores.Shape}.");
        DetectionTensors.RequireCount(name, "keptCount", keptCount);
        DetectionTensors.RequireCount(name, "rowCount", rowCount);
        if (boxes is not null && DetectionTensors.RequireBoxes(name, "boxes", boxes) != n)
            throw new EngineException($"{name}: boxes {boxes.Shape} must hold one box per score of {scores.Shape}.");
        if (excludeColumn is { } column && (column < 0 || column >= k))
            throw new EngineException($"{name}: excluded column {column} is outside the {k} columns of {scores.Shape}.");
        (_scores, _kept, _keptCount) = (scores, kept, keptCount);
        _boxes = boxes ?? scores;
        _rowCount = rowCount ?? keptCount;
        _push = new Push((uint)n, (uint)k, excludeColumn ?? -1, threshold, minSize);
        _groups = StridedCopy.FlatGrid(device, Groups.Cover(n, LocalSize));
        _pipeline = device.Pipeline("detection/score_filter", SpecConstant.Bool(0, sigmoid), SpecConstant.Bool(1, inclusive),
            SpecConstant.Bool(2, boxes is not null), SpecConstant.Bool(3, rowCount is not null));
    }

    public string Name { get; }

    public double Flops => 0;

    public void Record(CommandList list)
    {
        list.Fill(_keptCount);
        list.Dispatch(_pipeline, _groups, _push, _scores, _boxes, _rowCount, _kept, _keptCount);
    }

    private readonly record struct Push(uint N, uint K, int ExcludeColumn, float Threshold, float MinSize);
}
