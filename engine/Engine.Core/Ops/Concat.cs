using Engine.Gpu;

namespace Engine.Ops;

/// <summary>Concatenates tensors along one axis into the output: one strided copy per input.</summary>
public sealed class Concat : IOp
{
    private readonly List<StridedCopy> _copies = [];

    public Concat(Device device, IReadOnlyList<Tensor> inputs, Tensor output, int axis, string name = "concat")
    {
        Name = name;
        var rank = output.Shape.Rank;
        if (axis < 0)
            axis += rank;
        long position = 0;
        foreach (var input in inputs)
        {
            var matches = input.Shape.Rank == rank && axis >= 0 && axis < rank;
            for (var k = 0; matches && k < rank; k++)
                matches = k == axis || input.Shape[k] == output.Shape[k];
            if (!matches)
                throw new EngineException($"{name}: inputs ({string.Join(", ", inputs.Select(i => i.Shape))}) do not concatenate along axis {axis} into {output.Shape}.");
            var dims = input.Shape.Dims.ToArray().Select(d => (long)d).ToArray();
            _copies.Add(new StridedCopy(device, input, output, dims, dims, input.Strides.ToArray(), 0, output.Strides.ToArray(),
                position * output.Strides[axis], name));
            position += input.Shape[axis];
        }
        if (position != output.Shape[axis])
            throw new EngineException($"{name}: inputs ({string.Join(", ", inputs.Select(i => i.Shape))}) give {position} along axis {axis}, output {output.Shape} has {output.Shape[axis]}.");
    }

    public string Name { get; }

    public double Flops => 0;

    public void Record(CommandList list)
    {
        foreach (var copy in _copies)
            copy.Record(list);
    }
}
