using Engine.Contracts;
using Engine.Gpu;
using Engine.Graph;
using Engine.Graph.Nodes;
using Engine.Host;
using Engine.Models;
using Engine.Tests.Gpu;
using Engine.Tests.Ops;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engine.Tests.Host;

/// <summary>
/// A plugin's network as the host builds it (<see cref="NetworkBuilder"/>): the tiny non-local I3D of
/// tests/fixtures/gen_live.py, a Linear head on its probabilities and colour-head's clip_mean.comp,
/// compiled to one graph.
/// </summary>
public sealed class PluginNetworkTests(GpuFixture fixture) : GpuTest(fixture)
{
    private static readonly Shape _clip = new(1, 4, 32, 32, 4);

    private static string ColourHead => Path.Combine(PluginCatalogTests.TestPlugins, "colour-head");

    /// <summary>
    /// A clip with structure a query can tell apart (ramps across and down, a checkerboard) plus noise,
    /// channel 3 zero; large values so the tiny network's non-local logits are far from zero and its
    /// attention far from uniform.
    /// </summary>
    private static float[] Clip()
    {
        const float Amplitude = 40;
        var random = new Random(5);
        var (t, h, w) = (_clip[1], _clip[2], _clip[3]);
        var clip = new float[_clip.ElementCount];
        for (var f = 0; f < t; f++)
        {
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    var i = ((f * h + y) * w + x) * 4;
                    clip[i] = Amplitude * ((float)x / w + 0.1f * random.NextSingle());
                    clip[i + 1] = Amplitude * ((float)y / h + 0.1f * random.NextSingle());
                    clip[i + 2] = Amplitude * ((x / 8 + y / 8) % 2 + 0.1f * random.NextSingle());
                }
            }
        }
        return clip;
    }

    [Fact]
    public void A_model_a_linear_head_and_a_kernel_compile_to_one_graph_that_runs_as_one_submission()
    {
        const int Out = 4;
        using var shaders = new PluginShaders(Device, Path.Combine(ColourHead, "shaders"), ColourHead, watch: false, NullLogger.Instance);
        using var builder = new NetworkBuilder(Device, _clip, shaders, "net");
        var model = builder.Model(NonLocalActionTests.TinyPackage, builder.Input);
        var classes = model.Probabilities.Shape[1];
        var random = new Random(9);
        var weight = Enumerable.Range(0, classes * Out).Select(_ => random.NextSingle() - 0.5f).ToArray();
        var bias = Enumerable.Range(0, Out).Select(_ => random.NextSingle()).ToArray();
        var head = builder.Linear(model.Probabilities, builder.Constant("w", [classes, Out], weight), builder.Constant("b", [Out], bias));
        var texels = _clip[1] * _clip[2] * _clip[3];
        var mean = builder.Kernel("clip_mean.comp", [1, 4], [builder.Input], [1, (uint)texels], (1, 1, 1));
        builder.Output("probabilities", model.Probabilities);
        builder.Output("head", head);
        builder.Output("mean", mean);
        using var network = builder.Compile();

        // The model alone, for its dispatches and its probabilities.
        using var package = WeightPackage.Open(NonLocalActionTests.TinyPackage);
        using var alone = ModelBuilder.Build(package, 1, 4, 32, 32, channelsLastInput: true).Compile(Device);
        // The plugin's own nodes: the Linear's GEMM and the kernel (the constants are packed, not copied).
        Assert.Equal(alone.DispatchCount + 2, network.DispatchCount);

        var clip = Clip();
        network.SetInput(builder.InputName, clip);
        alone.SetInput(VideoResNetBuilder.ChannelsLastInput, clip);
        alone.Run();
        var first = network.Submit();
        first.Wait();
        var second = network.Submit();
        second.Wait();
        Assert.Equal(first.Value + 1, second.Value);

        var outputs = NetworkRunner.ReadOutputs(network);
        var probs = outputs["probabilities"].Values;
        OpFixtures.AssertClose(alone.Read(VideoResNetBuilder.Probabilities), probs, "probabilities", 1e-6);
        var expectedHead = new float[Out];
        for (var j = 0; j < Out; j++)
        {
            var sum = (double)bias[j];
            for (var i = 0; i < classes; i++)
                sum += (double)probs[i] * weight[i * Out + j];
            expectedHead[j] = (float)sum;
        }
        Assert.Equal([1, Out], outputs["head"].Shape);
        OpFixtures.AssertClose(expectedHead, outputs["head"].Values, "linear head", 1e-5);
        var expectedMean = new float[4];
        for (var i = 0; i < clip.Length; i++)
            expectedMean[i % 4] += clip[i] / texels;
        OpFixtures.AssertClose(expectedMean, outputs["mean"].Values, "clip mean", 1e-5);
    }

    [Fact]
    public void Moving_the_attention_query_changes_the_map_without_a_recompile_and_matches_a_graph_compiled_for_that_query()
    {
        var clip = Clip();
        float[] Map(AttentionRequest request, (double X, double Y)? moveTo)
        {
            using var builder = new NetworkBuilder(Device, _clip, null, "net");
            var model = builder.Model(NonLocalActionTests.TinyPackage, builder.Input, request);
            builder.Output("attention", model.Attention!);
            using var network = builder.Compile();
            network.SetInput(builder.InputName, clip);
            if (moveTo is { } q)
            {
                network.Run();
                network.SetInput(builder.AttentionQuery!, NonLocalNode.MiddleFrameQuery(q.X, q.Y));
            }
            network.Run();
            Assert.Equal(0, network.Rerecords);
            return network.Read("attention");
        }

        var centre = Map(new AttentionRequest(0, 0.5, 0.5), null);
        var moved = Map(new AttentionRequest(0, 0.5, 0.5), (0.05, 0.95));
        var fresh = Map(new AttentionRequest(0, 0.05, 0.95), null);
        OpFixtures.AssertClose(fresh, moved, "map after moving the query", 1e-6);
        var change = centre.Zip(moved, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(change > 1e-2 * moved.Max(), $"the map barely changed ({change}, largest weight {moved.Max()}) when the query moved");
    }

    [Fact]
    public void Weight_bytes_include_the_non_local_blocks_packed_by_their_nodes()
    {
        using var package = WeightPackage.Open(NonLocalActionTests.TinyPackage);
        var graph = ModelBuilder.Build(package, 1, 4, 32, 32, channelsLastInput: true);
        var specs = graph.Specs();
        var tensors = graph.Nodes.Sum(n => n.Weights(Device, n.Inputs.Select(t => specs[t]).ToArray(), new CompileOptions()).Count());
        var fp32 = new CompileOptions();
        var fp16 = new CompileOptions { WeightStorage = DataType.Float16 };
        long Bytes(IEnumerable<Node> nodes, CompileOptions options) => nodes.Sum(n => n.Weights(Device, n.Inputs.Select(t => specs[t]).ToArray(), options).Sum(w => w.Bytes(options)));
        foreach (var options in new[] { fp32, fp16 })
        {
            var nonlocal = Bytes(graph.Nodes.OfType<NonLocalNode>(), options);
            var others = Bytes(graph.Nodes.Where(n => n is not NonLocalNode), options);
            Assert.True(nonlocal > 0, "the package has no non-local weights");
            using var compiled = graph.Compile(Device, options);
            // Every packed tensor at an aligned offset of the arena: at most one alignment of padding each.
            Assert.InRange(compiled.WeightBytes, nonlocal + others, nonlocal + others + tensors * (long)Device.BindingAlignment);
        }
        // fp16 storage halves the matrices (the non-local projections among them); biases and BN stay fp32.
        var (all32, all16) = (Bytes(graph.Nodes, fp32), Bytes(graph.Nodes, fp16));
        Assert.InRange(all16, all32 / 2, all32 * 6 / 10);
        Assert.InRange(Bytes(graph.Nodes.OfType<NonLocalNode>(), fp16), Bytes(graph.Nodes.OfType<NonLocalNode>(), fp32) / 2, Bytes(graph.Nodes.OfType<NonLocalNode>(), fp32) * 6 / 10);
    }
}
