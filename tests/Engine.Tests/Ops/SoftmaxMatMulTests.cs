using Engine.Ops;
using Engine.Tests.Gpu;

namespace Engine.Tests.Ops;

public sealed class SoftmaxMatMulTests(GpuFixture fixture) : GpuTest(fixture)
{
    [Theory]
    [InlineData("softmax_small")]
    [InlineData("softmax_long_rows")]
    [InlineData("softmax_scaled")]
    public void Softmax_matches_torch(string name)
    {
        var x = OpFixtures.Array(name, "x");
        var scale = (float)OpFixtures.Case(name).GetProperty("scale").GetDouble();
        using var tx = Device.CreateTensor<float>("x", x.Shape, x.ToFloats());
        using var ty = Device.CreateTensor("y", x.Shape);
        Device.Run(new Softmax(Device, tx, ty, scale).Record);
        OpFixtures.AssertClose(OpFixtures.Array(name, "y").ToFloats(), ty.Download<float>(), name);
    }

    [Theory]
    [InlineData("matmul_batched")]
    [InlineData("matmul_trans_b")]
    [InlineData("matmul_single")]
    public void MatMul_matches_torch(string name)
    {
        var c = OpFixtures.Case(name);
        var (a, b, y) = (OpFixtures.Array(name, "a"), OpFixtures.Array(name, "b"), OpFixtures.Array(name, "y"));
        using var ta = Device.CreateTensor<float>("a", a.Shape, a.ToFloats());
        using var tb = Device.CreateTensor<float>("b", b.Shape, b.ToFloats());
        using var ty = Device.CreateTensor("y", y.Shape);
        Device.Run(list => list.Fill(ty, BitConverter.SingleToUInt32Bits(float.NaN)));
        Device.Run(new MatMul(Device, ta, tb, ty, c.GetProperty("trans_b").GetBoolean(), (float)c.GetProperty("alpha").GetDouble()).Record);
        OpFixtures.AssertClose(y.ToFloats(), ty.Download<float>(), name);
    }
}
