using Engine.Files;
using Engine.Graph;
using Engine.Models;
using Engine.Tests.Gpu;

namespace Engine.Tests.Models;

/// <summary>Whole networks built from packages against the PyTorch reference (tests/fixtures/gen_networks.py).</summary>
public sealed class VideoResNetTests(GpuFixture fixture) : GpuTest(fixture)
{
    private static readonly string[] _taps = ["stem.conv", "stem.pool", "res2.0", "res3.0", "res5.0"];

    /// <summary>Runs <paramref name="network"/>'s clip through its package (or <paramref name="packageName"/>'s) and compares every tensor the fixture has.</summary>
    private void RunAndCompare(string network, double tolerance = 1e-4, string? packageName = null)
    {
        var dir = Fixtures.Dir("networks");
        var input = Fixtures.Npy("networks", $"{network}.input");
        var taps = _taps.Where(t => File.Exists(Path.Combine(dir, $"{network}.{t}.npy"))).ToArray();
        using var package = WeightPackage.Open(Path.Combine(dir, $"{packageName ?? network}.safetensors"));
        var builder = ModelBuilder.Build(package, input.Shape[0], input.Shape[2], input.Shape[3], input.Shape[4]);
        using var graph = builder.Compile(Device, new CompileOptions { Keep = taps });
        graph.SetInput(VideoResNetBuilder.Input, input.ToFloats());
        graph.Run();
        foreach (var tensor in taps.Append(VideoResNetBuilder.Logits).Append(VideoResNetBuilder.Probabilities))
            AssertClose(Fixtures.Npy("networks", $"{network}.{tensor}"), graph.ReadTorch(tensor), $"{network} {tensor}", tolerance);
    }

    /// <summary>Max abs error within <paramref name="tolerance"/> of the expected tensor's largest magnitude (probabilities: absolute).</summary>
    internal static void AssertClose(NpyArray expected, NpyArray actual, string what, double tolerance)
    {
        Assert.True(expected.Shape == actual.Shape, $"{what}: shape {actual.Shape}, expected {expected.Shape}");
        var e = expected.ToFloats();
        var a = actual.ToFloats();
        var scale = what.EndsWith("probs", StringComparison.Ordinal) ? 1.0 : Math.Max(1e-6, e.Max(v => Math.Abs((double)v)));
        var worst = 0.0;
        var at = 0;
        for (var i = 0; i < e.Length; i++)
        {
            var d = Math.Abs((double)e[i] - a[i]);
            if (d > worst)
                (worst, at) = (d, i);
        }
        Assert.True(worst <= tolerance * scale, $"{what}: max abs error {worst:g3} at {at} ({a[at]} vs {e[at]}), allowed {tolerance * scale:g3}");
    }

    [Fact]
    public void C2d_with_unpadded_stem_pool_matches_torch_at_odd_sizes() => RunAndCompare("c2d_tiny");

    [Fact]
    public void I3d_with_temporal_stride_pool_after_res2_and_fully_convolutional_head_matches_torch_for_batch_2() => RunAndCompare("i3d_tiny_fullyconv");

    [Fact]
    public void I3d_with_nonlocal_blocks_of_every_variant_matches_torch() => RunAndCompare("i3d_tiny_nonlocal");

    [Fact]
    public void ResNet50_2d_matches_torch_at_224() => RunAndCompare("resnet50_2d");

    [Fact]
    public void Nonlocal_I3D_R50_with_five_blocks_gives_torch_probabilities_at_8x224x224() => RunAndCompare("nl_i3d_r50");

    [Fact]
    public void R3d_like_basic_blocks_with_temporal_strides_and_no_stem_pool_match_torch() => RunAndCompare("r3d_tiny");

    [Fact]
    public void R2plus1d_like_factorized_convs_with_a_different_mid_width_per_conv_match_torch_for_batch_2() => RunAndCompare("r2plus1d_tiny");

    [Fact]
    public void Bottleneck_with_the_temporal_kernel_on_conv_b_and_the_stride_on_conv_a_matches_torch() => RunAndCompare("bottleneck_3x3x3_stride_a");

    [Fact]
    public void One_fully_conv_package_whose_head_pool_spans_all_frames_matches_torch_at_8_and_32_frames()
    {
        RunAndCompare("fullyconv_any_length.8f", packageName: "fullyconv_any_length");
        RunAndCompare("fullyconv_any_length.32f", packageName: "fullyconv_any_length");
    }

    /// <summary>torchvision's own video ResNets, BNs folded by the generator, which also proved the PyTorch reference reproduces them.</summary>
    [Theory]
    [InlineData("r3d_18")]
    [InlineData("mc3_18")]
    [InlineData("r2plus1d_18")]
    public void Torchvision_video_resnets_match_torchvision(string model) => RunAndCompare($"tv_{model}");

    [Fact]
    public void A_factorized_package_without_a_spatial_half_is_refused_naming_the_tensor()
    {
        using var package = ArchitectureOnly("""{"kind": "video-resnet", "factorized": true, "stem": {"kernel": [3, 7, 7], "stride": [1, 2, 2], "padding": [1, 3, 3]}}""");
        var e = Assert.Throws<EngineException>(() => ModelBuilder.Build(package, 1, 8, 64, 64));
        Assert.Contains($"{package.Path}: architecture 'factorized' is true, so conv 'stem.conv' needs its spatial half 'stem.conv.spatial.weight', which is missing", e.Message);
    }

    [Fact]
    public void A_head_pool_larger_than_res5_for_the_clip_is_refused_when_the_graph_is_built()
    {
        // res5 of a 64x64 clip is 4 x 2 x 2: a fixed [8, 7, 7] pool cannot run on it; [-1, 2, 2] can.
        const string Head = """{"kind": "fully_conv", "classes": 3, "pool": [POOL]}""";
        using var fixedPool = ArchitectureOnly($$"""{"kind": "video-resnet", "head": {{Head.Replace("POOL", "8, 7, 7", StringComparison.Ordinal)}}}""");
        var e = Assert.Throws<EngineException>(() => ModelBuilder.Build(fixedPool, 1, 4, 64, 64));
        Assert.Contains($"{fixedPool.Path}: architecture head pool [8, 7, 7] is larger than res5's output 4x2x2 (t x h x w) for this clip", e.Message);
        using var wholeExtent = ArchitectureOnly($$"""{"kind": "video-resnet", "head": {{Head.Replace("POOL", "-1, 2, 2", StringComparison.Ordinal)}}}""");
        Assert.Contains(ModelBuilder.Build(wholeExtent, 1, 4, 64, 64).Nodes, n => n.Name == "head.pool");
    }

    /// <summary>A package with an architecture and no tensors: the builder reads tensors only when the graph compiles.</summary>
    private static WeightPackage ArchitectureOnly(string architecture)
    {
        var writer = new SafeTensorsWriter();
        writer.AddMetadata("format", PackageMetadata.FormatName);
        writer.AddMetadata("format_version", PackageMetadata.FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
        writer.AddMetadata("architecture", architecture);
        var path = Path.Combine(Path.GetTempPath(), $"engine-arch-{Guid.NewGuid():N}.safetensors");
        writer.Write(path);
        try
        {
            return WeightPackage.Open(path);
        }
        finally
        {
            File.Delete(path); // the open package keeps its data (Linux), and no test leaves files behind
        }
    }

    [Fact]
    public void A_128_frame_nonlocal_I3D_runs_with_every_binding_within_the_storage_buffer_range()
    {
        // The command list refuses any binding over maxStorageBufferRange, so running at all is the check;
        // the network is chosen so its stem output and its non-local affinity would not fit one binding.
        var input = Fixtures.Npy("networks", "i3d_nonlocal_128f.input");
        using var package = WeightPackage.Open(Path.Combine(Fixtures.Dir("networks"), "i3d_nonlocal_128f.safetensors"));
        using var graph = ModelBuilder.Build(package, 1, 128, 144, 144).Compile(Device);
        Assert.True(graph.Tensors.Values.Max(s => s.Bytes) > (long)Device.Limits.maxStorageBufferRange, "no tensor exceeds one binding: the test proves nothing");
        graph.SetInput(VideoResNetBuilder.Input, input.ToFloats());
        graph.Run();
        AssertClose(Fixtures.Npy("networks", "i3d_nonlocal_128f.probs"), graph.ReadTorch(VideoResNetBuilder.Probabilities), "128 frames probs", 1e-4);
    }
}
