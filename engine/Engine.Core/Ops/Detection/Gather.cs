using Engine.Gpu;

namespace Engine.Ops.Detection;

/// <summary>
/// Rows by index (shaders/detection/gather.comp): output[j] = source[indices[j]] for j below
/// <c>count</c>, zeros after and for indices outside the source. Any 4-byte element type (boxes, scores, labels); source and output of
/// the same type and row length. How final detections are read out of NMS's kept indices; with
/// <c>sigmoid</c> the float32 values gathered are logits and their sigmoids are written (RPN scores).
/// </summary>
public sealed class Gather : IOp
{
    private const int LocalSize = 64;

    private readonly Pipeline _pipeline;
    private readonly Tensor _source;
    private readonly Tensor _indices;
    private readonly Tensor _count;
    private readonly Tensor _output;
    private readonly Push _push;
    private readonly Groups _groups;

    /// <remarks>
    /// <c>source</c>: (R, ...) contiguous, 4-byte elements.<br/>
    /// <c>indices</c>: (K) int32 rows of <paramref name="source"/>.<br/>
    /// <c>output</c>: (K, ...) with the source's row shape and type.<br/>
    /// <c>count</c>: Optional (1) uint32 valid rows.<br/>
    /// </remarks>
    public Gather(Device device, Tensor source, Tensor indices, Tensor output, Tensor? count = null, bool sigmoid = false, string name = "gather")
    {
        Name = name;
        var k = DetectionTensors.RequireVector(name, "indices", indices, DataType.Int32);
        DetectionTensors.RequireCount(name, "count", count);
        if (source.Type.Size() != 4 || output.Type != source.Type || !source.IsContiguous || !output.IsContiguous || source.Shape.Rank == 0
            || output.Shape.Rank != source.Shape.Rank || output.Shape[0] != k || !output.Shape.Dims[1..].SequenceEqual(source.Shape.Dims[1..]))
            throw new EngineException($"{name}: output {output} must be ({k}, ...) rows of source {source} (contiguous, 4-byte elements).");
        if (sigmoid && source.Type != DataType.Float32)
            throw new EngineException($"{name}: a sigmoid needs float32 values, not {source}.");
        var cols = source.Shape[0] == 0 ? 0 : (int)(source.ElementCount / source.Shape[0]);
        (_source, _indices, _output) = (source, indices, output);
        _count = count ?? indices;
        _push = new Push((uint)k, (uint)cols, (uint)source.Shape[0]);
        _groups = StridedCopy.FlatGrid(device, Groups.Cover((long)k * cols, LocalSize));
        _pipeline = device.Pipeline("detection/gather", SpecConstant.Bool(0, count is not null), SpecConstant.Bool(1, sigmoid));
    }

    public string Name { get; }

    public double Flops => 0;

    public void Record(CommandList list) => list.Dispatch(_pipeline, _groups, _push, _source, _indices, _count, _output);

    private readonly record struct Push(uint K, uint Cols, uint R);
}
