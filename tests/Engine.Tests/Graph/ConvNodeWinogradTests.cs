using System.Text.Json;
using Engine.Graph;
using Engine.Graph.Nodes;
using Engine.Ops;
using Engine.Tests.Gpu;
using Engine.Tests.Ops;

namespace Engine.Tests.Graph;

public sealed class ConvNodeWinogradTests(GpuFixture fixture) : GpuTest(fixture)
{
    private const string Case = "odd_1x5x7_pad1";

    [Fact]
    public void A_1x3x3_conv_node_runs_as_winograd_in_a_graph_and_matches_torch()
    {
        var (spec, dispatches) = Run(new CompileOptions { Profile = true, WinogradMinFlops = 0 });
        // The input and output transforms and one GEMM per matrix of the node's tile.
        var tile = WinogradConv.TileFor(spec);
        Assert.Equal((tile + 2) * (tile + 2) + 2, dispatches);
    }

    [Fact]
    public void A_conv_node_below_the_winograd_size_runs_the_direct_kernel_and_matches_torch() =>
        Assert.Equal(1, Run(new CompileOptions { Profile = true }).Dispatches);

    /// <summary>Compiles and runs the case as a one-node graph, checks it against torch, returns the node's dispatch count.</summary>
    private (ConvSpec Spec, int Dispatches) Run(CompileOptions options)
    {
        var c = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Dir("winograd"), "cases.json"))).RootElement.GetProperty(Case);
        var pad = c.GetProperty("padding").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var spec = new ConvSpec(c.GetProperty("in").GetInt32(), c.GetProperty("out").GetInt32(), new Size3(1, 3, 3), padding: new Size3(0, pad[0], pad[1]));
        var (x, xShape, _) = OpFixtures.ToChannelsLast(Fixtures.Npy("winograd", $"{Case}.x"));
        var weights = Fixtures.Npy("winograd", $"{Case}.w").ToFloats();
        var bias = Fixtures.Npy("winograd", $"{Case}.b").ToFloats();
        var graph = new GraphBuilder("winograd");
        graph.Input("x", TensorSpec.Activation(xShape[0], xShape[1], xShape[2], xShape[3], spec.InChannels));
        graph.Add(new ConvNode("conv", "x", "y", spec, () => weights, () => bias, relu: c.GetProperty("relu").GetBoolean()));
        graph.Output("y");
        using var compiled = graph.Compile(Device, options);
        compiled.SetInput("x", x);
        compiled.Run();
        OpFixtures.AssertClose(Fixtures.Npy("winograd", $"{Case}.y").ToFloats(), compiled.ReadTorch("y").ToFloats(), $"{Case} in a graph");
        return (spec, compiled.Profile().Single(p => p.Node == "conv").Dispatches);
    }
}
