using System.Text.Json;
using Engine.Graph;
using Engine.Graph.Nodes;
using Engine.Ops;
using Engine.Tests.Gpu;
using Engine.Tests.Ops;

namespace Engine.Tests.Tuning;

/// <summary>
/// Every variant the tuner can pick for a convolution (<see cref="ConvNode.Candidates"/>: each register
/// tile of the direct, GEMM and unfolded kernels, the shared-memory GEMM's blocks, Winograd F2 and F4,
/// today's default) compiled into a
/// graph with that choice and checked against torch, on the conv fixtures of tests/fixtures/gen_ops.py
/// and gen_winograd.py: odd sizes, residuals, an RGB stem, 1x3x3 and 3x1x1 Winograd shapes.
/// </summary>
public sealed class ConvVariantParityTests(GpuFixture fixture) : GpuTest(fixture)
{
    [Theory]
    [InlineData(OpFixtures.Set, "conv2d_3x3_odd", "winograd f2", "winograd f4", "direct m16 n4", "direct-shared m64 n64")]
    [InlineData(OpFixtures.Set, "conv2d_stem_rgb", "unfolded m8 n4", "unfolded m16 n16")]
    [InlineData(OpFixtures.Set, "conv2d_1x1_residual", "gemm m8 n4", "gemm m16 n16", "gemm-shared m64 n32", "gemm-shared m64 n64")]
    [InlineData(OpFixtures.Set, "conv3d_3x3x3", "direct m8 n4", "direct m16 n16", "direct-shared m64 n32", "direct-shared m64 n64")]
    [InlineData(OpFixtures.Set, "conv3d_3x1x1", "winograd f2", "winograd f4", "direct m8 n16")]
    [InlineData(OpFixtures.Set, "conv2d_rect_kernel", "unfolded m8 n8", "unfolded m16 n4")]
    [InlineData("winograd", "even_2x8x6_pad1_residual", "winograd f2", "winograd f4", "direct m16 n16")]
    [InlineData("winograd", "t_even_8x2x3_pad1_residual", "winograd f2", "winograd f4", "direct m8 n4")]
    public void Every_conv_variant_the_tuner_can_pick_matches_torch(string set, string name, params string[] expectedAmong)
    {
        var c = Fixtures.Case(set, name);
        var spec = Spec(c);
        var (x, xShape, _) = OpFixtures.ToChannelsLast(Fixtures.Npy(set, $"{name}.x"));
        var weights = Fixtures.Npy(set, $"{name}.w").ToFloats();
        var bias = c.GetProperty("bias").GetBoolean() ? Fixtures.Npy(set, $"{name}.b").ToFloats() : new float[spec.OutChannels];
        var residual = c.GetProperty("residual").GetBoolean() ? OpFixtures.ToChannelsLast(Fixtures.Npy(set, $"{name}.residual")).Data : null;
        var expected = Fixtures.Npy(set, $"{name}.y").ToFloats();

        var node = new ConvNode("conv", "x", "y", spec, () => weights, () => bias, residual is null ? null : "r", c.GetProperty("relu").GetBoolean());
        var xSpec = TensorSpec.Activation(xShape[0], xShape[1], xShape[2], xShape[3], spec.InChannels);
        var inputs = new List<TensorSpec> { xSpec };
        if (residual is not null)
            inputs.Add(node.InferOutputs([xSpec])[0]);
        var candidates = node.Candidates(Device, inputs, new CompileOptions());
        Assert.All(expectedAmong, v => Assert.Contains(v, candidates));
        Assert.Equal(candidates.Count, candidates.Distinct().Count());
        foreach (var variant in candidates)
            OpFixtures.AssertClose(expected, RunVariant(Device, node, inputs, new CompileOptions(), variant, x, residual).Y, $"{name} ({spec}) as {variant}");
    }

    /// <summary>
    /// <paramref name="node"/> (input "x", optional residual "r", output "y") alone in a graph compiled with
    /// <paramref name="options"/> and <paramref name="variant"/> as its tuned choice, run once: y in torch layout and the graph's weight bytes.
    /// </summary>
    internal static (float[] Y, long WeightBytes) RunVariant(Engine.Gpu.Device device, ConvNode node, IReadOnlyList<TensorSpec> inputs, CompileOptions options, string variant,
        float[] x, float[]? residual)
    {
        var graph = new GraphBuilder($"{node.Spec} {variant}");
        graph.Input("x", inputs[0]);
        if (residual is not null)
            graph.Input("r", inputs[1]);
        graph.Add(node);
        graph.Output("y");
        using var compiled = graph.Compile(device, options with { Variants = new Dictionary<string, string> { [node.TuningKey(inputs, options)] = variant } });
        Assert.Equal(variant, compiled.Variants[node.Name]);
        compiled.SetInput("x", x);
        if (residual is not null)
            compiled.SetInput("r", residual);
        compiled.Run();
        return (compiled.ReadTorch("y").ToFloats(), compiled.WeightBytes);
    }

    [Fact]
    public void A_grouped_convolution_has_one_variant_and_nothing_to_tune()
    {
        var spec = new ConvSpec(6, 10, Size3.Planar(3, 3), padding: Size3.Planar(1, 1, 0), groups: 2);
        var node = new ConvNode("conv", "x", "y", spec, () => new float[10 * 3 * 9], () => new float[10]);
        Assert.Equal(["grouped"], node.Candidates(Device, [TensorSpec.Activation(1, 1, 7, 8, 6)], new CompileOptions()));
    }

    [Fact]
    public void A_variant_that_does_not_apply_to_the_shape_falls_back_to_the_default()
    {
        var spec = new ConvSpec(8, 16, Size3.Cube(1));
        var node = new ConvNode("conv", "x", "y", spec, () => new float[16 * 8], () => new float[16]);
        var x = TensorSpec.Activation(1, 1, 9, 9, 8);
        var graph = new GraphBuilder("fallback");
        graph.Input("x", x);
        graph.Add(node);
        graph.Output("y");
        // A 1x1x1 convolution is a GEMM: a direct or Winograd choice (an edited cache file) is not trusted,
        // nor a register tile the tuner never times (m32, n32: no parity test covers them).
        foreach (var wrong in new[] { "winograd f4", "direct m8 n8", "gemm m99 n8", "gemm m32 n8", "gemm m16 n32", "gemm m4 n4", "gemm-shared m16 n16", "direct-shared m64 n64", "nonsense" })
        {
            using var compiled = graph.Compile(Device, new CompileOptions { Variants = new Dictionary<string, string> { [node.TuningKey([x], new CompileOptions())] = wrong } });
            Assert.Equal(node.Candidates(Device, [x], new CompileOptions())[0], compiled.Variants["conv"]);
        }
    }

    /// <summary>The convolution of an op or Winograd fixture case (missing stride, dilation and groups are 1).</summary>
    private static ConvSpec Spec(JsonElement c)
    {
        static Size3 Get(JsonElement c, string key, int unit) => c.TryGetProperty(key, out var v) ? OpFixtures.Size(v, unit) : Size3.Cube(unit);
        return new ConvSpec(c.GetProperty("in").GetInt32(), c.GetProperty("out").GetInt32(), Get(c, "kernel", 1), Get(c, "stride", 1), Get(c, "padding", 0),
            Get(c, "dilation", 1), c.TryGetProperty("groups", out var g) ? g.GetInt32() : 1);
    }
}
