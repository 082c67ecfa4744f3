using System.Text.Json;
using Engine.Files;
using Engine.Graph;
using Engine.Models;
using Engine.Models.Detection;
using Engine.Tests.Gpu;
using WeightConverter.Containers;
using WeightConverter.Dialects;
using WeightConverter.Package;

namespace Engine.Tests.Detection;

/// <summary>
/// torchvision's Mask/Faster R-CNN R50-FPN (random weights, randomised BN statistics, raised class
/// biases; tests/fixtures/gen_detector.py) through the converter and the engine's detector graph.
/// </summary>
public sealed class DetectorTests(GpuFixture fixture) : GpuTest(fixture)
{
    private const string Set = "detector";

    private static readonly Lazy<JsonElement> _cases = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Dir(Set), "cases.json"))).RootElement);

    [Theory]
    [InlineData("stock", "stock.pth")]
    [InlineData("stock", "stock_legacy.pth")]
    [InlineData("nonlocal", "nonlocal.pth")]
    [InlineData("faster", "faster.pth")]
    public void Rpn_head_and_nonlocal_block_match_torchvision_at_min_size_320(string name, string checkpoint) => CompareDense(name, checkpoint);

    [Fact]
    public void Nonlocal_detector_matches_torchvision_at_800x1088() => CompareDense("nonlocal_800", "nonlocal_800.pth");

    [Fact]
    public void Converter_maps_the_mmcv_nonlocal_block_before_the_last_res4_block()
    {
        var path = Convert("nonlocal.pth");
        try
        {
            using var package = WeightPackage.Open(path);
            var arch = DetectorArchitecture.Parse(package.Architecture.RootElement, path);
            var nl = Assert.Single(arch.Nonlocal);
            Assert.Equal((4, 5), (nl.Stage, nl.BeforeBlock));
            var entry = package.Architecture.RootElement.GetProperty("nonlocal")[0];
            Assert.Equal("embedded_gaussian", entry.GetProperty("instantiation").GetString());
            Assert.True(entry.GetProperty("scale").GetBoolean());
            Assert.Equal("conv_then_pool", entry.GetProperty("subsample").GetString());
            Assert.Equal("bn", entry.GetProperty("output").GetString());
            Assert.Equal(512, entry.GetProperty("inner").GetInt32());
            Assert.Equal([512L, 1024, 1, 1], package.ShapeOf("backbone.res4.5.nonlocal.theta.weight"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private void CompareDense(string name, string checkpoint)
    {
        var c = _cases.Value.GetProperty(name);
        var image = Fixtures.Npy(Set, $"{name}.image");
        var path = Convert(checkpoint);
        try
        {
            using var package = WeightPackage.Open(path);
            var builder = DetectorBuilder.Build(package, image.Shape[1], image.Shape[2], c.GetProperty("min_size").GetInt32(), c.GetProperty("max_size").GetInt32());
            var nonlocal = c.GetProperty("nonlocal").GetBoolean();
            string[] keep = nonlocal ? [DetectorBuilder.TransformedImage, DetectorBuilder.NonLocalOutput] : [DetectorBuilder.TransformedImage];
            using var graph = builder.Compile(Device, new CompileOptions { Keep = keep });
            graph.SetInput(DetectorBuilder.Input, image.ToFloats());
            graph.Run();
            Compare(name, "transformed", graph.ReadTorch(DetectorBuilder.TransformedImage));
            if (nonlocal)
                Compare(name, "backbone.nonlocal", graph.ReadTorch(DetectorBuilder.NonLocalOutput));
            foreach (var level in DetectorBuilder.Levels)
            {
                Compare(name, $"rpn.objectness.p{level}", graph.ReadTorch($"rpn.objectness.p{level}"));
                Compare(name, $"rpn.deltas.p{level}", graph.ReadTorch($"rpn.deltas.p{level}"));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Every element within 1e-4 of the expected tensor's largest magnitude; (N, C, 1, H, W) dumps compare with torch's (N, C, H, W).</summary>
    private static void Compare(string name, string tensor, NpyArray actual, double tolerance = 1e-4)
    {
        var expected = Fixtures.Npy(Set, $"{name}.{tensor}");
        Assert.True(expected.Shape.ElementCount == actual.Shape.ElementCount, $"{name} {tensor}: {actual.Shape}, torchvision {expected.Shape}");
        var (e, a) = (expected.ToFloats(), actual.ToFloats());
        var scale = Math.Max(1e-6, e.Max(v => Math.Abs((double)v)));
        var (worst, at) = (0.0, 0);
        for (var i = 0; i < e.Length; i++)
        {
            var d = Math.Abs((double)e[i] - a[i]);
            if (d > worst)
                (worst, at) = (d, i);
        }
        Assert.True(worst <= tolerance * scale, $"{name} {tensor}: max abs error {worst:g3} at {at} ({a[at]} vs {e[at]}), allowed {tolerance * scale:g3}");
    }

    /// <summary>Converts a fixture checkpoint into a temporary package; the caller deletes it.</summary>
    private static string Convert(string checkpoint)
    {
        var output = Path.Combine(Path.GetTempPath(), $"detector-{Guid.NewGuid():N}.safetensors");
        using var source = CheckpointReader.Open(Path.Combine(Fixtures.Dir(Set), checkpoint));
        var options = new ConvertOptions();
        PackageWriter.Write(DialectDetector.Map(source, options), source, output, options.Labels);
        return output;
    }
}
