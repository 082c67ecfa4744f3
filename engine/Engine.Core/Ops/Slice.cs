using Engine.Gpu;

namespace Engine.Ops;

/// <summary>output[i] = input[start + i * step] per axis (steps default to 1), into a contiguous output.</summary>
public sealed class Slice : IOp
{
    private readonly StridedCopy _copy;

    public Slice(Device device, Tensor input, Tensor output, ReadOnlySpan<int> starts, ReadOnlySpan<int> steps = default, string name = "slice")
    {
        Name = name;
        var rank = input.Shape.Rank;
        var step = steps.IsEmpty ? Enumerable.Repeat(1, rank).ToArray() : steps.ToArray();
        if (output.Shape.Rank != rank || starts.Length != rank || step.Length != rank)
            throw new EngineException($"{name}: starts and steps need one entry per axis of input {input.Shape} and output {output.Shape}.");
        var dims = new long[rank];
        var strides = new long[rank];
        long offset = 0;
        for (var k = 0; k < rank; k++)
        {
            if (step[k] <= 0 || starts[k] < 0 || (output.Shape[k] > 0 && starts[k] + (long)(output.Shape[k] - 1) * step[k] >= input.Shape[k]))
                throw new EngineException($"{name}: axis {k} from {starts[k]} in steps of {step[k]} for {output.Shape[k]} elements leaves input {input.Shape}.");
            dims[k] = output.Shape[k];
            strides[k] = input.Strides[k] * step[k];
            offset += starts[k] * input.Strides[k];
        }
        _copy = new StridedCopy(device, input, output, dims, dims, strides, offset, output.Strides.ToArray(), 0, name);
    }

    public string Name { get; }

    public double Flops => 0;

    public void Record(CommandList list) => _copy.Record(list);
}
