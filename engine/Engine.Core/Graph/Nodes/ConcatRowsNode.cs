using Engine.Gpu;
using Engine.Ops;
using Engine.Ops.Detection;

namespace Engine.Graph.Nodes;

/// <summary>
/// Concatenates row lists with counts (<see cref="ConcatRows"/>): the valid rows of each source in
/// turn, no gaps; outputs the rows (sum R_i, ...), their total count and, when
/// <paramref name="sourceIds"/> is named, each row's source number (int32).
/// </summary>
public sealed class ConcatRowsNode(string name, IReadOnlyList<string> sources, IReadOnlyList<string> counts, string output, string total,
    string? sourceIds = null)
    : Node(name, [.. sources, .. counts], DetectionInputs.List(output, total, sourceIds))
{
    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        if (sources.Count == 0 || counts.Count != sources.Count)
            throw ShapeError(inputs, "expected one count per source");
        var first = inputs[0];
        var rows = 0;
        for (var i = 0; i < sources.Count; i++)
        {
            var s = inputs[i];
            if (s.Type != first.Type || s.Shape.Rank != first.Shape.Rank || !s.Shape.Dims[1..].SequenceEqual(first.Shape.Dims[1..]))
                throw ShapeError(inputs, "expected sources with one row shape and type");
            var c = inputs[sources.Count + i];
            if (c.Shape.ElementCount != 1 || c.Type != DataType.UInt32)
                throw ShapeError(inputs, "expected (1) uint32 counts");
            rows += s.Shape[0];
        }
        var dims = first.Shape.Dims.ToArray();
        dims[0] = rows;
        var specs = new List<TensorSpec>
        {
            new(new Shape(dims), first.Type, first.Channels, total),
            new(new Shape(1), DataType.UInt32),
        };
        if (sourceIds is not null)
            specs.Add(new TensorSpec(new Shape(rows), DataType.Int32, CountTensor: total));
        return specs;
    }

    public override IOp CreateOp(Device device, NodeTensors tensors) =>
        new ConcatRows(device, tensors.Inputs.Take(sources.Count).ToArray(), tensors.Inputs.Skip(sources.Count).ToArray(), tensors.Outputs[0],
            tensors.Outputs[1], sourceIds is null ? null : tensors.Outputs[2], Name);
}
