using Engine.Graph;
using Engine.Graph.Nodes;
using Engine.Ops;
using Engine.Tests.Gpu;
using Engine.Tests.Ops;

namespace Engine.Tests.Graph;

public sealed class ConvNodeWinogradTests(GpuFixture fixture) : GpuTest(fixture)
{
    [Theory]
    [InlineData("odd_1x5x7_pad1", 36)]
    [InlineData("t_whole_4x3x2_pad1", 6)]
    public void A_1x3x3_or_3x1x1_conv_node_runs_as_winograd_in_a_graph_and_matches_torch(string name, int matrices)
    {
        var (spec, dispatches, weightBytes) = Run(name, new CompileOptions { Profile = true, WinogradMinFlops = 0 });
        // The input transform, one batched GEMM over every matrix of the node's tile (4x4 in space, 4 along time), the output transform.
        Assert.Equal(matrices, WinogradConv.WeightShape(spec, WinogradConv.TileFor(spec))[0]);
        Assert.Equal(3, dispatches);
        // Only the Winograd packing is uploaded (and the bias): the direct one would never be read.
        var (winograd, direct) = (WinogradConv.WeightShape(spec, WinogradConv.TileFor(spec)).ElementCount * 4, spec.PackedWeightShape.ElementCount * 4);
        Assert.InRange(weightBytes, winograd, winograd + direct - 1);
    }

    [Fact]
    public void A_conv_node_below_the_winograd_size_runs_the_direct_kernel_and_matches_torch() =>
        Assert.Equal(1, Run("odd_1x5x7_pad1", new CompileOptions { Profile = true }).Dispatches);

    [Fact]
    public void A_3x1x1_conv_node_with_a_partial_tile_of_frames_runs_the_direct_kernel_and_matches_torch() =>
        Assert.Equal(1, Run("t_short_3x2x2_pad1", new CompileOptions { Profile = true, WinogradMinFlops = 0 }).Dispatches);

    /// <summary>Compiles and runs the case as a one-node graph, checks it against torch, returns the node's dispatch count and the graph's weight bytes.</summary>
    private (ConvSpec Spec, int Dispatches, long WeightBytes) Run(string name, CompileOptions options)
    {
        var c = Fixtures.Case("winograd", name);
        var spec = WinogradConvTests.Spec(c);
        var (x, xShape, _) = OpFixtures.ToChannelsLast(Fixtures.Npy("winograd", $"{name}.x"));
        var weights = Fixtures.Npy("winograd", $"{name}.w").ToFloats();
        var bias = Fixtures.Npy("winograd", $"{name}.b").ToFloats();
        var graph = new GraphBuilder("winograd");
        graph.Input("x", TensorSpec.Activation(xShape[0], xShape[1], xShape[2], xShape[3], spec.InChannels));
        graph.Add(new ConvNode("conv", "x", "y", spec, () => weights, () => bias, relu: c.GetProperty("relu").GetBoolean()));
        graph.Output("y");
        using var compiled = graph.Compile(Device, options);
        compiled.SetInput("x", x);
        compiled.Run(profile: true);
        OpFixtures.AssertClose(Fixtures.Npy("winograd", $"{name}.y").ToFloats(), compiled.ReadTorch("y").ToFloats(), $"{name} in a graph");
        return (spec, compiled.Profile().Single(p => p.Node == "conv").Dispatches, compiled.WeightBytes);
    }
}
