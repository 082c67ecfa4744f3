using Engine.Gpu;
using Engine.Ops;
using Engine.Tests.Gpu;

namespace Engine.Tests.Ops;

public sealed class ElementwiseTests(GpuFixture fixture) : GpuTest(fixture)
{
    [Theory]
    [InlineData("add")]
    [InlineData("add_relu")]
    [InlineData("mul")]
    [InlineData("mul_per_channel")]
    [InlineData("scale")]
    [InlineData("relu")]
    [InlineData("sigmoid")]
    [InlineData("affine")]
    [InlineData("affine_relu")]
    public void Elementwise_matches_torch(string op)
    {
        var a = OpFixtures.Array("elementwise", "a");
        var expected = OpFixtures.Array("elementwise", op);
        using var ta = Device.CreateTensor<float>("a", a.Shape, a.ToFloats());
        using var tb = Device.CreateTensor<float>("b", a.Shape, OpFixtures.Array("elementwise", "b").ToFloats());
        using var scale = Device.CreateTensor<float>("scale", new Shape(8), OpFixtures.Array("elementwise", "channel_scale").ToFloats());
        using var bias = Device.CreateTensor<float>("bias", new Shape(8), OpFixtures.Array("elementwise", "channel_bias").ToFloats());
        using var ty = Device.CreateTensor("y", a.Shape);
        var e = op switch
        {
            "add" => Elementwise.Add(Device, ta, tb, ty),
            "add_relu" => Elementwise.Add(Device, ta, tb, ty, relu: true),
            "mul" => Elementwise.Mul(Device, ta, tb, ty),
            "mul_per_channel" => Elementwise.Mul(Device, ta, scale, ty),
            "scale" => Elementwise.Scale(Device, ta, ty, 1.5f, -0.25f),
            "relu" => Elementwise.Relu(Device, ta, ty),
            "sigmoid" => Elementwise.Sigmoid(Device, ta, ty),
            "affine" => Elementwise.Affine(Device, ta, scale, bias, ty),
            _ => Elementwise.Affine(Device, ta, scale, bias, ty, relu: true),
        };
        Device.Run(e.Record);
        OpFixtures.AssertClose(expected.ToFloats(), ty.Download<float>(), op);
    }

    [Fact]
    public void Elementwise_split_into_chunks_matches_torch()
    {
        var a = OpFixtures.Array("elementwise", "a");
        using var ta = Device.CreateTensor<float>("a", a.Shape, a.ToFloats());
        using var tb = Device.CreateTensor<float>("b", a.Shape, OpFixtures.Array("elementwise", "b").ToFloats());
        using var ty = Device.CreateTensor("y", a.Shape);
        var add = Elementwise.Add(Device, ta, tb, ty, maxChunkBytes: 64);
        Assert.True(add.DispatchCount > 1, $"expected several chunks, got {add.DispatchCount}");
        Device.Run(add.Record);
        OpFixtures.AssertClose(OpFixtures.Array("elementwise", "add").ToFloats(), ty.Download<float>(), "chunked add");
    }

    [Fact]
    public void Elementwise_runs_in_place()
    {
        var a = OpFixtures.Array("elementwise", "a");
        using var ta = Device.CreateTensor<float>("a", a.Shape, a.ToFloats());
        Device.Run(Elementwise.Relu(Device, ta, ta).Record);
        OpFixtures.AssertClose(OpFixtures.Array("elementwise", "relu").ToFloats(), ta.Download<float>(), "relu in place");
    }

    [Fact]
    public void Elementwise_rejects_an_operand_that_does_not_repeat_over_the_input()
    {
        using var a = Device.CreateTensor("a", new Shape(3, 8));
        using var b = Device.CreateTensor("b", new Shape(16));
        var error = Assert.Throws<EngineException>(() => Elementwise.Add(Device, a, b, a, name: "shortcut"));
        Assert.Contains("shortcut", error.Message, StringComparison.Ordinal);
    }
}
