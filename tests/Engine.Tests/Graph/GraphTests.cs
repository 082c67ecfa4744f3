using Engine.Gpu;
using Engine.Graph;
using Engine.Graph.Nodes;
using Engine.Ops;
using Engine.Tests.Gpu;

namespace Engine.Tests.Graph;

public sealed class GraphTests(GpuFixture fixture) : GpuTest(fixture)
{
    /// <summary>A chain of fully connected layers with odd widths; the reference is the same chain on the CPU in double.</summary>
    private static (GraphBuilder Graph, Func<float[], double[]> Reference) Chain(int rows, int[] widths, int seed)
    {
        var graph = new GraphBuilder("chain");
        graph.Input("x", new TensorSpec(new Shape(rows, ChannelsLast.Padded(widths[0])), DataType.Float32, widths[0]));
        var layers = new List<(float[] W, float[] B)>();
        for (var l = 0; l + 1 < widths.Length; l++)
        {
            var w = RandomFloats(widths[l + 1] * widths[l], seed + l, 1 / MathF.Sqrt(widths[l]));
            var b = RandomFloats(widths[l + 1], seed + 100 + l, 0.1f);
            layers.Add((w, b));
            graph.Add(new FullyConnectedNode($"fc{l}", l == 0 ? "x" : $"h{l}", $"h{l + 1}", () => w, () => b, widths[l + 1], relu: l + 2 < widths.Length));
        }
        graph.Output($"h{widths.Length - 1}");
        double[] Reference(float[] x)
        {
            var h = x.Select(v => (double)v).ToArray();
            for (var l = 0; l < layers.Count; l++)
            {
                var (inW, outW) = (widths[l], widths[l + 1]);
                var next = new double[rows * outW];
                for (var r = 0; r < rows; r++)
                {
                    for (var o = 0; o < outW; o++)
                    {
                        var s = (double)layers[l].B[o];
                        for (var i = 0; i < inW; i++)
                            s += layers[l].W[o * inW + i] * h[r * inW + i];
                        next[r * outW + o] = l + 1 < layers.Count ? Math.Max(0, s) : s;
                    }
                }
                h = next;
            }
            return h;
        }
        return (graph, Reference);
    }

    private static float[] Padded(float[] x, int rows, int channels)
    {
        var cp = ChannelsLast.Padded(channels);
        var result = new float[rows * cp];
        for (var r = 0; r < rows; r++)
            Array.Copy(x, r * channels, result, r * cp, channels);
        return result;
    }

    [Fact]
    public void Compiled_chain_matches_cpu_and_runs_repeatedly_with_new_inputs()
    {
        int[] widths = [13, 37, 22, 9, 5];
        var (builder, reference) = Chain(11, widths, 3);
        using var graph = builder.Compile(Device);
        for (var run = 0; run < 3; run++)
        {
            var x = RandomFloats(11 * 13, 50 + run);
            graph.SetInput("x", Padded(x, 11, 13));
            graph.Run();
            var y = graph.ReadTorch("h4");
            Assert.Equal(new Shape(11, 5), y.Shape);
            var expected = reference(x);
            var got = y.ToFloats();
            var scale = expected.Max(Math.Abs);
            for (var i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - got[i]) <= 1e-5 * scale, $"run {run} element {i}: {got[i]} != {expected[i]}");
        }
    }

    [Fact]
    public void Intermediates_are_aliased_and_only_kept_tensors_are_readable()
    {
        int[] widths = [64, 64, 64, 64, 64, 64, 64];
        var (builder, _) = Chain(256, widths, 7);
        using var graph = builder.Compile(Device);
        var tensorBytes = 256L * 64 * 4;
        // Seven tensors of which at most the input, the output and two intermediates are alive at once.
        Assert.True(graph.ActivationBytes <= 4 * tensorBytes, $"{graph.ActivationBytes} bytes for 7 tensors of {tensorBytes}");
        Assert.Throws<EngineException>(() => graph.Read("h3"));

        using var kept = builder.Compile(Device, new CompileOptions { Keep = ["h3"] });
        var x = RandomFloats(256 * 64, 1);
        kept.SetInput("x", x);
        kept.Run();
        Assert.Equal(256 * 64, kept.Read("h3").Length);
        Assert.True(kept.ActivationBytes > graph.ActivationBytes);
    }

    [Fact]
    public void Nodes_added_out_of_order_are_sorted_and_profiled_per_node()
    {
        var graph = new GraphBuilder("shuffled");
        graph.Input("x", new TensorSpec(new Shape(8, 8), DataType.Float32, 8));
        var w = RandomFloats(64, 1);
        var b = RandomFloats(8, 2);
        graph.Add(new FullyConnectedNode("second", "h", "y", () => w, () => b, 8));
        graph.Add(new FullyConnectedNode("first", "x", "h", () => w, () => b, 8, relu: true));
        graph.Output("y");
        using var compiled = graph.Compile(Device, new CompileOptions { Profile = true });
        compiled.SetInput("x", RandomFloats(64, 3));
        compiled.Run(profile: true);
        var profile = compiled.Profile();
        Assert.Equal(["first", "second"], profile.Select(p => p.Node));
        Assert.All(profile, p => Assert.True(p.Dispatches == 1 && p.Milliseconds > 0 && p.Flops == 2.0 * 8 * 8 * 8, p.ToString()));
    }

    [Fact]
    public void Plain_runs_leave_the_profile_to_profiled_runs_and_unprofiled_graphs_refuse_them()
    {
        var graph = new GraphBuilder("timed");
        graph.Input("x", new TensorSpec(new Shape(8, 8), DataType.Float32, 8));
        var w = RandomFloats(64, 1);
        graph.Add(new FullyConnectedNode("fc", "x", "y", () => w, () => RandomFloats(8, 2), 8));
        graph.Output("y");
        using var profiled = graph.Compile(Device, new CompileOptions { Profile = true });
        profiled.SetInput("x", RandomFloats(64, 3));
        profiled.Run();
        var plain = profiled.Read("y");
        // A plain run submits no timestamps: until a profiled run there is nothing to report.
        Assert.Contains("has not run yet", Assert.Throws<EngineException>(() => profiled.Profile()).Message);
        profiled.Run(profile: true);
        Assert.Equal(plain, profiled.Read("y"));
        Assert.True(profiled.Profile().Single().Milliseconds > 0);

        using var unprofiled = graph.Compile(Device);
        unprofiled.SetInput("x", RandomFloats(64, 3));
        unprofiled.Run();
        Assert.Equal(plain, unprofiled.Read("y"));
        Assert.Contains("compiled without profiling", Assert.Throws<EngineException>(() => unprofiled.Run(profile: true)).Message);
        Assert.Contains("compiled without profiling", Assert.Throws<EngineException>(() => unprofiled.Profile()).Message);
    }

    [Fact]
    public void Shape_errors_name_the_node_and_the_shapes()
    {
        var graph = new GraphBuilder("bad");
        graph.Input("x", new TensorSpec(new Shape(3, 16), DataType.Float32, 10));
        graph.Add(new FullyConnectedNode("fc", "x", "y", () => new float[8 * 7], () => new float[8], 8));
        graph.Output("y");
        var e = Assert.Throws<EngineException>(() => graph.Compile(Device));
        Assert.Contains("node 'fc'", e.Message);
        Assert.Contains("(3, 16)", e.Message);
        Assert.Contains("expected 10 input channels stored as 12", e.Message);
    }

    [Fact]
    public void Missing_tensors_double_writers_and_cycles_are_refused()
    {
        var w = new float[16];
        var b = new float[4];
        var missing = new GraphBuilder("g");
        missing.Add(new FullyConnectedNode("fc", "nowhere", "y", () => w, () => b, 4));
        Assert.Contains("'nowhere'", Assert.Throws<EngineException>(() => missing.Compile(Device)).Message);

        var twice = new GraphBuilder("g");
        twice.Input("x", new TensorSpec(new Shape(1, 4)));
        twice.Add(new FullyConnectedNode("a", "x", "y", () => w, () => b, 4));
        twice.Add(new FullyConnectedNode("b", "x", "y", () => w, () => b, 4));
        Assert.Contains("written by", Assert.Throws<EngineException>(() => twice.Compile(Device)).Message);

        var cycle = new GraphBuilder("g");
        cycle.Add(new FullyConnectedNode("a", "q", "p", () => w, () => b, 4));
        cycle.Add(new FullyConnectedNode("b", "p", "q", () => w, () => b, 4));
        Assert.Contains("cycle", Assert.Throws<EngineException>(() => cycle.Compile(Device)).Message);
    }

    [Fact]
    public void Data_dependent_output_returns_only_its_valid_rows()
    {
        var graph = new GraphBuilder("compact");
        graph.Input("x", new TensorSpec(new Shape(300)));
        graph.Add(new CompactPositiveNode("compact", "x", "kept", "count"));
        graph.Output("kept");
        using var compiled = graph.Compile(Device);
        for (var seed = 0; seed < 2; seed++)
        {
            var x = RandomFloats(300, seed);
            compiled.SetInput("x", x);
            compiled.Run();
            Assert.Equal(x.Where(v => v > 0).ToArray(), compiled.Read("kept"));
            Assert.Equal(new Shape(x.Count(v => v > 0)), compiled.ReadTorch("kept").Shape);
        }
    }
}
