using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// Softmax over the last axis, rows of any length (shaders/ops/softmax.comp): the input is viewed as
/// (rows, cols) with cols its last dimension; <c>scale</c> multiplies the logits first (1/sqrt(d) of
/// a scaled dot-product affinity, 1 otherwise).
/// </summary>
public sealed class Softmax : IOp
{
    private readonly Pipeline _pipeline;
    private readonly Tensor _input;
    private readonly Tensor _output;
    private readonly Push _push;
    private readonly Groups _groups;

    public Softmax(Device device, Tensor input, Tensor output, float scale = 1, string name = "softmax")
    {
        Name = name;
        if (input.Shape != output.Shape || input.Shape.Rank == 0 || !input.IsContiguous || !output.IsContiguous)
            throw new EngineException($"{name}: input {input.Shape} and output {output.Shape} must be contiguous and of the same shape.");
        var cols = input.Shape[-1];
        var rows = cols == 0 ? 0 : input.ElementCount / cols;
        (_input, _output) = (input, output);
        _push = new Push((uint)rows, (uint)cols, scale);
        _groups = StridedCopy.FlatGrid((uint)rows);
        _pipeline = device.Pipeline("ops/softmax");
        Flops = 4.0 * input.ElementCount;
    }

    public string Name { get; }

    public double Flops { get; }

    public void Record(CommandList list) => list.Dispatch(_pipeline, _groups, _push, _input, _output);

    private readonly record struct Push(uint Rows, uint Cols, float Scale);
}
