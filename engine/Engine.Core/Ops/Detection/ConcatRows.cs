using Engine.Gpu;

namespace Engine.Ops.Detection;

/// <summary>
/// Concatenates row lists that each have a valid count (shaders/detection/concat_rows.comp), e.g.
/// the per-level proposals of an RPN: the valid rows of source 0, then of source 1, ... with no gaps,
/// and <c>total</c> = the sum of the counts. Optionally writes each row's source number to
/// <c>sourceIds</c> (the FPN level, the group of a per-level NMS). Any 4-byte element type.
/// </summary>
public sealed class ConcatRows : IOp
{
    private const int LocalSize = 64;

    private readonly List<(Tensor Source, Tensor Count, Push Push, Groups Groups)> _parts = [];
    private readonly Pipeline _copy;
    private readonly Pipeline _accumulate;
    private readonly Tensor _output;
    private readonly Tensor _ids;
    private readonly Tensor _total;

    /// <remarks>
    /// <c>sources</c>: (R_i, ...) tensors with one row shape and type.<br/>
    /// <c>counts</c>: (1) uint32 valid rows of each source.<br/>
    /// <c>output</c>: (sum R_i, ...).<br/>
    /// <c>total</c>: (1) uint32 valid rows of the output.<br/>
    /// <c>sourceIds</c>: Optional (sum R_i) int32: the source number of each output row.<br/>
    /// </remarks>
    public ConcatRows(Device device, IReadOnlyList<Tensor> sources, IReadOnlyList<Tensor> counts, Tensor output, Tensor total, Tensor? sourceIds = null,
        string name = "concat_rows")
    {
        Name = name;
        if (sources.Count == 0 || counts.Count != sources.Count)
            throw new EngineException($"{name}: {sources.Count} sources with {counts.Count} counts; one count per source, at least one source.");
        var rowShape = output.Shape.Dims[1..].ToArray();
        var cols = rowShape.Aggregate(1, (a, b) => a * b);
        long rows = 0;
        foreach (var s in sources)
        {
            if (s.Type != output.Type || s.Type.Size() != 4 || !s.IsContiguous || !s.Shape.Dims[1..].SequenceEqual(rowShape))
                throw new EngineException($"{name}: sources {string.Join(", ", sources.Select(t => t.ToString()))} must be contiguous 4-byte rows like output {output}.");
            rows += s.Shape[0];
        }
        foreach (var c in counts)
            DetectionTensors.RequireCount(name, "count", c);
        DetectionTensors.RequireCount(name, "total", total);
        if (output.Shape[0] != rows || !output.IsContiguous)
            throw new EngineException($"{name}: output {output.Shape} must be contiguous with {rows} rows, the sources' sum.");
        if (sourceIds is not null && DetectionTensors.RequireVector(name, "sourceIds", sourceIds, DataType.Int32) != rows)
            throw new EngineException($"{name}: sourceIds {sourceIds.Shape} must have {rows} entries.");
        (_output, _total) = (output, total);
        _ids = sourceIds ?? output;
        for (var i = 0; i < sources.Count; i++)
        {
            var push = new Push((uint)sources[i].Shape[0], (uint)cols, i);
            _parts.Add((sources[i], counts[i], push, StridedCopy.FlatGrid(device, Groups.Cover((long)sources[i].Shape[0] * cols, LocalSize))));
        }
        var ids = SpecConstant.Bool(1, sourceIds is not null);
        _copy = device.Pipeline("detection/concat_rows", SpecConstant.UInt(0, 0), ids);
        _accumulate = device.Pipeline("detection/concat_rows", SpecConstant.UInt(0, 1), ids);
    }

    public string Name { get; }

    public double Flops => 0;

    public void Record(CommandList list)
    {
        list.Fill(_total);
        foreach (var (source, count, push, groups) in _parts)
        {
            list.Dispatch(_copy, groups, push, source, count, _output, _ids, _total);
            list.Dispatch(_accumulate, new Groups(1), push, source, count, _output, _ids, _total);
        }
    }

    private readonly record struct Push(uint Rows, uint Cols, int Id);
}
