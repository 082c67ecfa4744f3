using System.Text.Json;
using Engine.Gpu;
using Engine.Graph;
using Engine.Graph.Nodes;
using Engine.Models;
using Engine.Ops;
using Engine.Tests.Gpu;
using Engine.Tests.Ops;
using Engine.Tests.Tuning;

namespace Engine.Tests.Graph;

/// <summary>
/// fp16 weight storage (<see cref="CompileOptions.WeightStorage"/>) against tests/fixtures/gen_half_weights.py:
/// the fixtures hold fp32 weights and torch's outputs with those weights rounded by Tensor.half() (y16)
/// and unrounded (y). The engine rounds when it compiles, so every kernel that reads fp16 weights must
/// give y16 to fp32 accuracy, and y16 is far enough from y that reading fp32 weights would fail.
/// </summary>
public sealed class HalfWeightTests(GpuFixture fixture) : GpuTest(fixture)
{
    private const string Set = "half_weights";

    /// <summary>fp32 accumulation of exactly the rounded weights: about K ulps of the output scale.</summary>
    private const double Exact = 1e-5;

    /// <summary>
    /// Winograd F(2x2) rounds the transformed weights (G w Gᵀ, entries sums of halves of w), not w, to fp16:
    /// each by up to 2^-11 of itself, summed by an output transform of 0 and +-1, so the output moves about
    /// as far from y16 as y16 is from y (2.3e-4 of the scale on these cases): 5e-4 is twice that.
    /// </summary>
    private const double WinogradF2 = 5e-4;

    /// <summary>F(4x4) keeps fp32 transformed weights (<see cref="WinogradConv.StoresHalfWeights"/>): torch with the unrounded weights, at the fp32 Winograd tolerance.</summary>
    private const double WinogradF4 = 1e-4;

    private static readonly CompileOptions _fp16 = new() { WeightStorage = DataType.Float16 };

    [Theory]
    [InlineData("spatial_3x3_odd")]
    [InlineData("stem_rgb")]
    [InlineData("pointwise_residual")]
    [InlineData("temporal_3x1x1")]
    [InlineData("cube_3x3x3_stride2")]
    public void Every_conv_variant_reads_fp16_weights_as_torch_rounds_them(string name)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Dir(Set), "conv", "cases.json")));
        var c = json.RootElement.GetProperty(name);
        var spec = new ConvSpec(c.GetProperty("in").GetInt32(), c.GetProperty("out").GetInt32(), OpFixtures.Size(c.GetProperty("kernel"), 1),
            OpFixtures.Size(c.GetProperty("stride"), 1), OpFixtures.Size(c.GetProperty("padding"), 0));
        NpyArrayOf(name, "x", out var x, out var xShape);
        var weights = Fixtures.Npy(Set, $"conv/{name}.w").ToFloats();
        var bias = c.GetProperty("bias").GetBoolean() ? Fixtures.Npy(Set, $"conv/{name}.b").ToFloats() : new float[spec.OutChannels];
        var residual = c.GetProperty("residual").GetBoolean() ? OpFixtures.ToChannelsLast(Fixtures.Npy(Set, $"conv/{name}.residual")).Data : null;
        var (y16, y32) = (Fixtures.Npy(Set, $"conv/{name}.y16").ToFloats(), Fixtures.Npy(Set, $"conv/{name}.y").ToFloats());
        AssertDiscriminates(y16, y32, name);

        var node = new ConvNode("conv", "x", "y", spec, () => weights, () => bias, residual is null ? null : "r", c.GetProperty("relu").GetBoolean());
        var xSpec = TensorSpec.Activation(xShape[0], xShape[1], xShape[2], xShape[3], spec.InChannels);
        var inputs = new List<TensorSpec> { xSpec };
        if (residual is not null)
            inputs.Add(node.InferOutputs([xSpec])[0]);
        var candidates = node.Candidates(Device, inputs, _fp16);
        Assert.NotEmpty(candidates);
        foreach (var variant in candidates)
        {
            var (expected, tolerance) = variant switch
            {
                "winograd f4" => (y32, WinogradF4),
                "winograd f2" => (y16, WinogradF2),
                _ => (y16, Exact),
            };
            var (y, weightBytes) = ConvVariantParityTests.RunVariant(Device, node, inputs, _fp16, variant, x, residual);
            OpFixtures.AssertClose(expected, y, $"{name} ({spec}) as {variant} with fp16 weights", tolerance);
            // F(2x2)'s tolerance cannot tell fp16 reads from fp32 ones; its stored bytes can: the packing at 2 bytes, the bias at 4.
            if (variant == "winograd f2")
            {
                long Aligned(long bytes) => (bytes + (long)Device.BindingAlignment - 1) / (long)Device.BindingAlignment * (long)Device.BindingAlignment;
                Assert.Equal(Aligned(WinogradConv.WeightShape(spec, 2).ElementCount * 2) + Aligned(ChannelsLast.Padded(spec.OutChannels) * 4L), weightBytes);
            }
        }
    }

    [Fact]
    public void A_linear_layer_reads_fp16_weights_as_torch_rounds_them()
    {
        var x = Fixtures.Npy(Set, "fc/x");
        var (rows, features) = (x.Shape[0], x.Shape[1]);
        var (y16, y32) = (Fixtures.Npy(Set, "fc/y16").ToFloats(), Fixtures.Npy(Set, "fc/y").ToFloats());
        AssertDiscriminates(y16, y32, "fc");
        var weights = Fixtures.Npy(Set, "fc/w").ToFloats();
        var bias = Fixtures.Npy(Set, "fc/b").ToFloats();
        var classes = bias.Length;
        var graph = new GraphBuilder("fc");
        graph.Input("x", TensorSpec.Activation(rows, 1, 1, 1, features));
        graph.Add(new FullyConnectedNode("fc", "x", "y", () => weights, () => bias, classes));
        graph.Output("y");
        using var compiled = graph.Compile(Device, _fp16);
        compiled.SetInput("x", x.ToFloats()); // (rows, features) row-major is channels-last, 20 features needing no padding
        compiled.Run();
        OpFixtures.AssertClose(y16, compiled.ReadTorch("y").ToFloats(), "linear layer with fp16 weights", Exact);
    }

    [Theory]
    [InlineData("embedded_pool_then_conv")]
    [InlineData("gaussian_none")]
    public void A_non_local_block_reads_fp16_projections_as_torch_rounds_them(string name)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Dir(Set), "nonlocal", name, "case.json")));
        var options = NonLocalJson.Parse(json.RootElement);
        var channels = json.RootElement.GetProperty("channels").GetInt32();
        var (x, shape, _) = OpFixtures.ToChannelsLast(Fixtures.Npy(Set, $"nonlocal/{name}/x"));
        var (y16, y32) = (Fixtures.Npy(Set, $"nonlocal/{name}/y16").ToFloats(), Fixtures.Npy(Set, $"nonlocal/{name}/y").ToFloats());
        // The block adds its input: compare what it adds, where the rounding shows.
        var input = Fixtures.Npy(Set, $"nonlocal/{name}/x").ToFloats();
        AssertDiscriminates(Minus(y16, input), Minus(y32, input), name);
        var xSpec = TensorSpec.Activation(shape[0], shape[1], shape[2], shape[3], channels);
        var node = new NonLocalNode("nl", "x", "z", options, channels, n => Fixtures.Npy(Set, $"nonlocal/{name}/{n}").ToFloats());
        // Every variant the tuner can pick reads the fp16 build of its GEMM kernel (register or shared-memory).
        foreach (var variant in node.Candidates(Device, [xSpec], _fp16))
        {
            var graph = new GraphBuilder($"{name} {variant}");
            graph.Input("x", xSpec);
            graph.Add(node);
            graph.Output("z");
            using var compiled = graph.Compile(Device, _fp16 with { Variants = new Dictionary<string, string> { [node.TuningKey([xSpec], _fp16)] = variant } });
            Assert.Equal(variant, compiled.Variants["nl"]);
            compiled.SetInput("x", x);
            compiled.Run();
            OpFixtures.AssertClose(Minus(y16, input), Minus(compiled.ReadTorch("z").ToFloats(), input), $"non-local block {name} with fp16 projections as {variant}",
                Exact * 10);
        }
    }

    [Fact]
    public void A_weight_beyond_fp16_range_is_an_error_naming_it()
    {
        var spec = new ConvSpec(4, 4, Size3.Cube(1));
        var weights = new float[16];
        weights[5] = 1e5f;
        var graph = new GraphBuilder("overflow");
        graph.Input("x", TensorSpec.Activation(1, 1, 2, 2, 4));
        graph.Add(new ConvNode("res2.0.a", "x", "y", spec, () => weights, () => new float[4]));
        graph.Output("y");
        var error = Assert.Throws<EngineException>(() => graph.Compile(Device, _fp16));
        Assert.Contains("res2.0.a.weight", error.Message, StringComparison.Ordinal);
        Assert.Contains("100000", error.Message, StringComparison.Ordinal);
        using var fp32 = graph.Compile(Device);
    }

    [Fact]
    public void Fp16_weights_are_tuned_under_their_own_key()
    {
        var node = new ConvNode("conv", "x", "y", new ConvSpec(64, 64, Size3.Planar(3, 3), padding: Size3.Planar(1, 1, 0)), () => [], () => []);
        var x = TensorSpec.Activation(1, 1, 56, 56, 64);
        Assert.NotEqual(node.TuningKey([x], new CompileOptions()), node.TuningKey([x], _fp16));
        Assert.EndsWith(" weights float16", node.TuningKey([x], _fp16), StringComparison.Ordinal);
    }

    private static void NpyArrayOf(string name, string array, out float[] data, out Shape shape)
    {
        (data, shape, _) = OpFixtures.ToChannelsLast(Fixtures.Npy(Set, $"conv/{name}.{array}"));
    }

    /// <summary>The fixture itself: the rounding moves the output by more than 10x the exact tolerance, so reading fp32 weights cannot pass.</summary>
    private static void AssertDiscriminates(float[] y16, float[] y32, string name)
    {
        var scale = y16.Max(Math.Abs);
        var gap = y16.Zip(y32, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(gap > 10 * Exact * scale, $"{name}: rounding the weights moves the output by {gap:g3}, too little to tell fp16 from fp32 at {Exact * scale:g3}.");
    }

    private static float[] Minus(float[] a, float[] b) => [.. a.Zip(b, (u, v) => u - v)];
}
