using Engine.Gpu;
using Engine.Ops;

namespace Engine.Graph.Nodes;

/// <summary>
/// A non-local block (<see cref="NonLocalBlock"/>) on a channels-last activation of
/// <paramref name="channels"/> channels. Its projections, pooled keys and attention statistics live
/// in the node's scratch, which the graph reuses for later nodes. <paramref name="read"/> gives the
/// block's package tensors by their names relative to the block (`theta.weight`, `out.bias`...).
/// </summary>
public sealed class NonLocalNode(string name, string input, string output, NonLocalOptions options, int channels, Func<string, float[]> read)
    : Node(name, [input], [output])
{
    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        var x = inputs[0];
        if (x.Shape.Rank != 5 || x.Channels != channels)
            throw ShapeError(inputs, $"expected a channels-last (N, T, H, W, Cp) activation of {channels} channels");
        return [x];
    }

    public override long ScratchBytes(Device device, IReadOnlyList<TensorSpec> inputs)
    {
        try
        {
            return NonLocalBlock.ScratchBytes(device, options, channels, inputs[0].Shape);
        }
        catch (EngineException e)
        {
            throw ShapeError(inputs, $"a non-local block cannot run on this input ({e.Message})");
        }
    }

    public override IOp CreateOp(Device device, NodeTensors tensors)
    {
        var weights = NonLocalWeights.Create(device, options, channels, read, Name);
        try
        {
            return new Owner(new NonLocalBlock(device, tensors.Inputs[0], tensors.Outputs[0], weights, tensors.Scratch!, name: Name), weights);
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    /// <summary>The block with the parameter tensors it uploaded for itself, released with the graph.</summary>
    private sealed class Owner(NonLocalBlock block, NonLocalWeights weights) : IOp, IDisposable
    {
        public string Name => block.Name;

        public double Flops => block.Flops;

        public void Record(CommandList list) => block.Record(list);

        public void Dispose() => weights.Dispose();
    }
}
