using Engine.Gpu;
using Engine.Ops;

namespace Engine.Graph.Nodes;

/// <summary>
/// A non-local block (<see cref="NonLocalBlock"/>) on a channels-last activation of
/// <paramref name="channels"/> channels. Its projections, pooled keys and attention statistics live
/// in the node's scratch, which the graph reuses for later nodes. <paramref name="read"/> gives the
/// block's package tensors by their names relative to the block (`theta.weight`, `out.bias`...).
/// With <paramref name="attentionQuery"/> (fractions of the width and height) the node has a second
/// output, `{output}.attention`: the attention weights of the query at that position of the middle
/// frame of clip 0 over its keys, shaped (1, T', H', W') on the key grid (the live host's heat map).
/// </summary>
public sealed class NonLocalNode(string name, string input, string output, NonLocalOptions options, int channels, Func<string, float[]> read,
    (double X, double Y)? attentionQuery = null)
    : Node(name, [input], attentionQuery is null ? [output] : [output, output + AttentionSuffix])
{
    public const string AttentionSuffix = ".attention";

    private long _queryPosition;

    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        var x = inputs[0];
        if (x.Shape.Rank != 5 || x.Channels != channels)
            throw ShapeError(inputs, $"expected a channels-last (N, T, H, W, Cp) activation of {channels} channels");
        if (attentionQuery is not { } q)
            return [x];
        var (t, h, w) = (x.Shape[1], x.Shape[2], x.Shape[3]);
        var (qh, qw) = (Math.Clamp((int)(q.Y * h), 0, h - 1), Math.Clamp((int)(q.X * w), 0, w - 1));
        _queryPosition = ((long)(t / 2) * h + qh) * w + qw;
        var (pt, ph, pw) = options.PoolKernel;
        // The keys one query attends to, in their flat order (see NonLocalBlock.RecordAttentionMap).
        var grid = options.Mode switch
        {
            NonLocalMode.Space => new Shape(1, 1, h / ph, w / pw),
            NonLocalMode.Time => new Shape(1, t / pt, 1, 1),
            _ when options.Group > 0 => new Shape(1, options.Group / pt, h / ph, w / pw),
            _ => new Shape(1, t / pt, h / ph, w / pw),
        };
        return [x, new TensorSpec(grid)];
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
            var block = new NonLocalBlock(device, tensors.Inputs[0], tensors.Outputs[0], weights, tensors.Scratch!, name: Name);
            return new Owner(block, weights, attentionQuery is null ? null : (_queryPosition, tensors.Outputs[1]));
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    /// <summary>The block with the parameter tensors it uploaded for itself, released with the graph.</summary>
    private sealed class Owner(NonLocalBlock block, NonLocalWeights weights, (long Position, Tensor Map)? attention) : IOp, IDisposable
    {
        public string Name => block.Name;

        public double Flops => block.Flops;

        public void Record(CommandList list)
        {
            block.Record(list);
            // The map reads the block's scratch: it must follow the block before anything reuses it.
            if (attention is { } a)
                block.RecordAttentionMap(list, a.Position, a.Map);
        }

        public void Dispose() => weights.Dispose();
    }
}
