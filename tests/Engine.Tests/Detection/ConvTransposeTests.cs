using Engine.Gpu;
using Engine.Graph;
using Engine.Graph.Nodes;
using Engine.Ops;
using Engine.Tests.Gpu;
using Engine.Tests.Ops;

namespace Engine.Tests.Detection;

/// <summary>ConvTranspose2d (the mask head's upsampling) against PyTorch, fixtures from tests/fixtures/gen_conv_transpose.py.</summary>
public sealed class ConvTransposeTests(GpuFixture fixture) : GpuTest(fixture)
{
    private const string Set = "conv_transpose";

    [Theory]
    [InlineData("mask_head_2x2_s2", false)]
    [InlineData("mask_head_2x2_s2", true)]
    [InlineData("k3_s2_p1_op1", false)]
    [InlineData("k3_s2_p1_op1", true)]
    [InlineData("k4_s3_p2_rect", false)]
    [InlineData("k3_s1_p1", false)]
    public void ConvTranspose2d_matches_torch(string name, bool chunked)
    {
        var (spec, relu) = Spec(name);
        var (x, xShape, _) = OpFixtures.ToChannelsLast(Fixtures.Npy(Set, $"{name}.x"));
        var (expected, yShape, channels) = OpFixtures.ToChannelsLast(Fixtures.Npy(Set, $"{name}.y"));
        using var tx = Device.CreateTensor<float>("x", xShape, x);
        using var tw = Device.CreateTensor<float>("w", spec.PackedWeightShape, spec.PackWeights(Fixtures.Npy(Set, $"{name}.w").ToFloats()));
        using var tb = Device.CreateTensor<float>("b", new Shape(ChannelsLast.Padded(spec.OutChannels)), ChannelsLast.PadVector(Fixtures.Npy(Set, $"{name}.b").ToFloats()));
        using var ty = Device.CreateTensor("y", yShape);
        using var scratch = Device.CreateTensor("scratch", new Shape(checked((int)(ConvTranspose.ScratchBytes(spec, (long)xShape[0] * xShape[2] * xShape[3]) / 4))));
        // A chunk of 2 KiB forces several GEMM and gather chunks on every case.
        var op = chunked
            ? new ConvTranspose(Device, spec, tx, tw, ty, scratch, tb, relu, "conv_transpose", 2048)
            : new ConvTranspose(Device, spec, tx, tw, ty, scratch, tb, relu);
        if (chunked)
            Assert.True(op.DispatchCount > 2, $"{op.DispatchCount} dispatches: the forced chunk size did not split the op.");
        Device.Run(op.Record);
        var y = ty.Download<float>();
        OpFixtures.AssertClose(expected, y, name);
        OpFixtures.AssertPaddingZero(y, yShape, channels, name);
    }

    [Fact]
    public void ConvTranspose_node_runs_in_a_graph_with_its_tap_matrix_in_scratch()
    {
        const string name = "mask_head_2x2_s2";
        var (spec, relu) = Spec(name);
        var x = Fixtures.Npy(Set, $"{name}.x");
        var (expected, _, _) = OpFixtures.ToChannelsLast(Fixtures.Npy(Set, $"{name}.y"));
        var graph = new GraphBuilder("deconv");
        var dims = x.Shape.Dims.ToArray();
        graph.Input("x", new TensorSpec(new Shape(dims[0], dims[1], 1, dims[2], dims[3])));
        graph.Add(new InputLayoutNode("layout", "x", "xl"));
        graph.Add(new ConvTransposeNode("deconv", "xl", "y", spec, () => Fixtures.Npy(Set, $"{name}.w").ToFloats(), () => Fixtures.Npy(Set, $"{name}.b").ToFloats(), relu));
        graph.Output("y");
        using var compiled = graph.Compile(Device);
        compiled.SetInput("x", x.ToFloats());
        compiled.Run();
        OpFixtures.AssertClose(expected, compiled.Read("y"), name);
    }

    [Fact]
    public void ConvTranspose_rejects_an_output_of_the_wrong_size()
    {
        var spec = new ConvTransposeSpec(4, 4, (2, 2), (2, 2));
        using var x = Device.CreateTensor("x", new Shape(1, 1, 3, 3, 4));
        using var w = Device.CreateTensor("w", spec.PackedWeightShape);
        using var b = Device.CreateTensor("b", new Shape(4));
        using var y = Device.CreateTensor("y", new Shape(1, 1, 5, 6, 4));
        using var scratch = Device.CreateTensor("s", new Shape(1024));
        var e = Assert.Throws<EngineException>(() => new ConvTranspose(Device, spec, x, w, y, scratch, b));
        Assert.Contains("gives output (1, 1, 6, 6, 4)", e.Message);
    }

    private static (ConvTransposeSpec Spec, bool Relu) Spec(string name)
    {
        var c = Fixtures.Case(Set, name);
        (int, int) Pair(string key) => (c.GetProperty(key)[0].GetInt32(), c.GetProperty(key)[1].GetInt32());
        var w = Fixtures.Npy(Set, $"{name}.w").Shape;
        return (new ConvTransposeSpec(w[0], w[1], Pair("kernel"), Pair("stride"), Pair("padding"), Pair("output_padding")), c.GetProperty("relu").GetBoolean());
    }
}
