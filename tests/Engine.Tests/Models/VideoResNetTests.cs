using Engine.Files;
using Engine.Graph;
using Engine.Models;
using Engine.Tests.Gpu;

namespace Engine.Tests.Models;

/// <summary>Whole networks built from packages against the PyTorch reference (tests/fixtures/gen_networks.py).</summary>
public sealed class VideoResNetTests(GpuFixture fixture) : GpuTest(fixture)
{
    private static readonly string[] _taps = ["stem.conv", "stem.pool", "res2.0", "res3.0", "res5.0"];

    private void RunAndCompare(string network, double tolerance = 1e-4)
    {
        var dir = Fixtures.Dir("networks");
        var input = Fixtures.Npy("networks", $"{network}.input");
        var taps = _taps.Where(t => File.Exists(Path.Combine(dir, $"{network}.{t}.npy"))).ToArray();
        using var package = WeightPackage.Open(Path.Combine(dir, $"{network}.safetensors"));
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
