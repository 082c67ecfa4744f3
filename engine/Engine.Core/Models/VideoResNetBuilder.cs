using Engine.Gpu;
using Engine.Graph;
using Engine.Graph.Nodes;
using Engine.Ops;

namespace Engine.Models;

/// <summary>
/// Builds the graph of a video ResNet package (C2D, I3D, or the 2D ResNet as one-frame C2D) for a
/// clip geometry. Tensor names follow the PyTorch reference (tests/fixtures/reference/video_resnet.py):
/// input `clip` (N, 3, T, H, W), then `stem.conv`, `stem.pool`, `res{s}.{k}` (block outputs),
/// `res{s}.{k}.nonlocal`, `res2.pool`, `head.pool`, `logits` and `probs` (the outputs).
/// Weights are read from the package only while the graph compiles.
/// </summary>
public static class VideoResNetBuilder
{
    public const string Input = "clip";
    public const string Logits = "logits";
    public const string Probabilities = "probs";

    /// <summary>Tensor name of the channels-last input (N, T, H, W, 4) when the builder is asked for one.</summary>
    public const string ChannelsLastInput = "input";

    /// <summary>
    /// <paramref name="attention"/> asks non-local block <c>Block</c> (index in the package's list) for
    /// its attention map at a query position; the map is the graph output `{block}.nonlocal.attention`.
    /// </summary>
    public static GraphBuilder Build(WeightPackage package, int batch, int frames, int height, int width, bool channelsLastInput = false,
        (int Block, double X, double Y)? attention = null)
    {
        var arch = VideoResNetArchitecture.Parse(package.Architecture.RootElement, package.Path);
        var nonlocalJson = package.Architecture.RootElement.TryGetProperty("nonlocal", out var nl) ? nl.EnumerateArray().ToArray() : [];
        var nonlocals = arch.Nonlocal.Select((spec, i) => (spec, options: ParseNonLocal(package, nonlocalJson[i]), index: i))
            .ToDictionary(x => (x.spec.Stage, x.spec.Block), x => (x.options, x.index));
        if (attention is { } a && (a.Block < 0 || a.Block >= arch.Nonlocal.Length))
            throw new EngineException($"{package.Path}: attention of non-local block {a.Block} asked, the package has {arch.Nonlocal.Length}.");

        var graph = new GraphBuilder(System.IO.Path.GetFileNameWithoutExtension(package.Path));
        if (channelsLastInput)
        {
            graph.Input(ChannelsLastInput, TensorSpec.Activation(batch, frames, height, width, 3));
        }
        else
        {
            graph.Input(Input, new TensorSpec(new Shape(batch, 3, frames, height, width)));
            graph.Add(new InputLayoutNode("input", Input, ChannelsLastInput));
        }

        Func<float[]> Tensor(string name, params long[] shape) => () => package.Floats(name, shape);
        ConvNode Conv(string name, string input, int cin, int cout, Size3 kernel, Size3 stride, Size3 padding, string? residual, bool relu) =>
            graph.Add(new ConvNode(name, input, name, new ConvSpec(cin, cout, kernel, stride, padding),
                Tensor($"{name}.weight", cout, cin, kernel.T, kernel.H, kernel.W), Tensor($"{name}.bias", cout), residual, relu));

        var stem = arch.Stem;
        Conv("stem.conv", "input", 3, arch.StemWidth, Size(stem.Kernel), Size(stem.Stride), Size(stem.Padding), null, relu: true);
        var x = "stem.conv";
        if (stem.Pool is { } pool)
        {
            graph.Add(new PoolNode("stem.pool", x, "stem.pool", PoolKind.Max, Size(pool.Kernel), Size(pool.Stride), Size(pool.Padding)));
            x = "stem.pool";
        }

        var channels = arch.StemWidth;
        for (var s = 0; s < 4; s++)
        {
            var (inner, outWidth) = (arch.InnerWidths[s], arch.OutWidths[s]);
            for (var k = 0; k < arch.StageBlocks[s]; k++)
            {
                var block = $"res{s + 2}.{k}";
                var stride = k == 0 && s > 0 ? 2 : 1;
                var kt = arch.TemporalKernels[s][k];
                var residual = x;
                // A projection shortcut wherever the identity cannot be added (block 0 of every stage in released models).
                if (stride != 1 || channels != outWidth)
                {
                    Conv($"{block}.shortcut", x, channels, outWidth, Size3.Cube(1), new Size3(1, stride, stride), Size3.Cube(0), null, relu: false);
                    residual = $"{block}.shortcut";
                }
                Conv($"{block}.a", x, channels, inner, new Size3(kt, 1, 1), Size3.Cube(1), new Size3(kt / 2, 0, 0), null, relu: true);
                Conv($"{block}.b", $"{block}.a", inner, inner, new Size3(1, 3, 3), new Size3(1, stride, stride), new Size3(0, 1, 1), null, relu: true);
                // conv c carries the residual add and the block's ReLU in its epilogue; its output is the block's.
                graph.Add(new ConvNode($"{block}.c", $"{block}.b", block, new ConvSpec(inner, outWidth, Size3.Cube(1)),
                    Tensor($"{block}.c.weight", outWidth, inner, 1, 1, 1), Tensor($"{block}.c.bias", outWidth), residual, relu: true));
                x = block;
                channels = outWidth;
                if (nonlocals.TryGetValue((s + 2, k), out var nonlocal))
                {
                    var prefix = $"{block}.nonlocal";
                    var query = attention is { } q && q.Block == nonlocal.index ? (q.X, q.Y) : ((double, double)?)null;
                    graph.Add(new NonLocalNode(prefix, x, prefix, nonlocal.options, channels, n => package.Floats($"{prefix}.{n}"), query));
                    if (query is not null)
                        graph.Output(prefix + NonLocalNode.AttentionSuffix);
                    x = prefix;
                }
            }
            if (s == 0 && arch.PoolAfterRes2 is { } after)
            {
                graph.Add(new PoolNode("res2.pool", x, "res2.pool", PoolKind.Max, Size(after.Kernel), Size(after.Stride), Size(after.Padding)));
                x = "res2.pool";
            }
        }

        var head = arch.Head;
        var fcWeight = Tensor("head.fc.weight", head.Classes, channels);
        var fcBias = Tensor("head.fc.bias", head.Classes);
        if (head.Kind == "global_avg_fc")
        {
            graph.Add(new GlobalAveragePoolNode("head.pool", x, "head.pool"));
            graph.Add(new FullyConnectedNode(Logits, "head.pool", Logits, fcWeight, fcBias, head.Classes));
            graph.Add(new SoftmaxNode(Probabilities, Logits, Probabilities));
        }
        else
        {
            // Caffe2/PySlowFast testing: fixed average pool (stride 1), classifier and softmax per position, mean of the probabilities.
            graph.Add(new PoolNode("head.pool", x, "head.pool", PoolKind.Average, Size(head.Pool!), Size3.Cube(1), Size3.Cube(0)));
            graph.Add(new FullyConnectedNode(Logits, "head.pool", Logits, fcWeight, fcBias, head.Classes));
            graph.Add(new SoftmaxNode("head.softmax", Logits, "head.softmax"));
            graph.Add(new GlobalAveragePoolNode(Probabilities, "head.softmax", Probabilities));
        }
        graph.Output(Logits);
        graph.Output(Probabilities);
        return graph;
    }

    private static NonLocalOptions ParseNonLocal(WeightPackage package, System.Text.Json.JsonElement entry)
    {
        try
        {
            return NonLocalOptions.Parse(entry);
        }
        catch (EngineException e)
        {
            throw new EngineException($"{package.Path}: architecture: {e.Message}");
        }
    }

    private static Size3 Size(int[] v) => new(v[0], v[1], v[2]);
}
