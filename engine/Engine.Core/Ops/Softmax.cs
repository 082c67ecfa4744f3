using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// Softmax over the last axis, rows of any length (shaders/ops/softmax.comp): the input is viewed as
/// (rows, cols) with cols its last dimension; <c>scale</c> multiplies the logits first (1/sqrt(d) of
/// a scaled dot-product affinity, 1 otherwise). An output larger than one storage-buffer binding is
/// computed in row chunks bound at aligned offsets (<see cref="RowChunks"/>); only a single row
/// larger than a binding is refused.
/// </summary>
public sealed class Softmax : IOp
{
    private readonly Pipeline _pipeline;
    private readonly List<(Tensor Input, Tensor Output, Push Push, Groups Groups)> _chunks = [];

    public Softmax(Device device, Tensor input, Tensor output, float scale = 1, string name = "softmax")
    {
        Name = name;
        if (input.Shape != output.Shape || input.Shape.Rank == 0 || !input.IsContiguous || !output.IsContiguous)
            throw new EngineException($"{name}: input {input.Shape} and output {output.Shape} must be contiguous and of the same shape.");
        var cols = input.Shape[-1];
        var rows = cols == 0 ? 0 : input.ElementCount / cols;
        var limits = device.Limits;
        if (cols * 4L > (long)limits.maxStorageBufferRange)
            throw new EngineException($"{name}: a row of {cols} floats of {input.Shape} is larger than one storage-buffer binding ({limits.maxStorageBufferRange} bytes).");
        _pipeline = device.Pipeline("ops/softmax");
        Flops = 4.0 * input.ElementCount;
        if (rows == 0)
            return;
        var (input2, output2) = (input.Reshape(new Shape((int)rows, cols)), output.Reshape(new Shape((int)rows, cols)));
        var alignment = device.BindingAlignment;
        foreach (var (start, count) in RowChunks.Split(rows, limits.maxStorageBufferRange, alignment, cols * 4L))
        {
            _chunks.Add((RowChunks.View(input2, start, count, cols), RowChunks.View(output2, start, count, cols),
                new Push((uint)count, (uint)cols, scale), StridedCopy.FlatGrid(device, (uint)count)));
        }
    }

    public string Name { get; }

    public double Flops { get; }

    /// <summary>Dispatches the op records: one per row chunk.</summary>
    public int Chunks => _chunks.Count;

    public void Record(CommandList list)
    {
        foreach (var (input, output, push, groups) in _chunks)
            list.Dispatch(_pipeline, groups, push, input, output);
    }

    private readonly record struct Push(uint Rows, uint Cols, float Scale);
}
