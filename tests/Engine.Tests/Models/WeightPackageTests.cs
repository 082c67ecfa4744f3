using Engine.Files;
using Engine.Models;

namespace Engine.Tests.Models;

public sealed class WeightPackageTests : IDisposable
{
    private static readonly string _current = PackageMetadata.FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("engine-package-");

    private string Write(string? format, string? version, string? architecture, params (string Name, long[] Shape)[] tensors)
    {
        var writer = new SafeTensorsWriter();
        if (format is not null)
            writer.AddMetadata("format", format);
        if (version is not null)
            writer.AddMetadata("format_version", version);
        if (architecture is not null)
            writer.AddMetadata("architecture", architecture);
        foreach (var (name, shape) in tensors)
            writer.AddFloats(name, shape, new float[shape.Aggregate(1L, (a, b) => a * b)]);
        var path = Path.Combine(_work.FullName, $"p{Guid.NewGuid():N}.safetensors");
        writer.Write(path);
        return path;
    }

    [Fact]
    public void A_package_of_another_format_version_is_refused_with_convert_it_again()
    {
        // Version 1 packages were converted by rules that may be silently wrong for the video ResNets version 2 describes.
        var path = Write(PackageMetadata.FormatName, "1", """{"kind": "video-resnet"}""");
        var e = Assert.Throws<EngineException>(() => WeightPackage.Open(path));
        Assert.Contains("convert it again", e.Message);
        Assert.Contains("version 1, this engine reads version 2", e.Message);
    }

    [Fact]
    public void A_plain_safetensors_file_is_not_a_package()
    {
        var e = Assert.Throws<EngineException>(() => WeightPackage.Open(Write(null, null, null)));
        Assert.Contains("not a weight package", e.Message);
    }

    [Fact]
    public void Missing_and_misshapen_tensors_are_named_with_the_shape_the_architecture_needs()
    {
        using var package = WeightPackage.Open(Write(PackageMetadata.FormatName, _current, """{"kind": "video-resnet"}""", ("stem.conv.weight", [64, 3, 1, 7, 7])));
        Assert.Equal("video-resnet", package.Metadata.Kind);
        var wrong = Assert.Throws<EngineException>(() => package.Floats("stem.conv.weight", 64, 3, 5, 7, 7));
        Assert.Contains("'stem.conv.weight' has shape (64, 3, 1, 7, 7), the architecture needs (64, 3, 5, 7, 7)", wrong.Message);
        var missing = Assert.Throws<EngineException>(() => package.Floats("stem.conv.bias", 64));
        Assert.Contains("'stem.conv.bias' (64) missing", missing.Message);
    }

    [Theory]
    [InlineData("""{"kind": "video-resnet", "stage_blocks": [3, 4, 23, 3]}""", "temporal_kernels must give one size per block")]
    [InlineData("""{"kind": "video-resnet", "nonlocal": [{"stage": 4, "block": 6, "instantiation": "dot_product", "inner": 8}]}""", "stage 4 block 6 is outside the network")]
    [InlineData("""{"kind": "video-resnet", "head": {"kind": "fully_conv", "classes": 400}}""", "a fully_conv head needs pool")]
    [InlineData("""{"kind": "video-resnet", "head": {"kind": "fully_conv", "classes": 400, "pool": [-2, 7, 7]}}""", "head pool [-2, 7, 7]: each entry is a positive size or -1")]
    [InlineData("""{"kind": "video-resnet", "block": "wide"}""", "block 'wide' is neither 'bottleneck' nor 'basic'")]
    [InlineData("""{"kind": "video-resnet", "inflate_style": "3x3"}""", "inflate_style '3x3' is neither '3x1x1' nor '3x3x3'")]
    [InlineData("""{"kind": "video-resnet", "stride_on": "c"}""", "stride_on 'c' is neither 'a' nor 'b'")]
    [InlineData("""{"kind": "video-resnet", "spatial_strides": [1, 2, 2]}""", "spatial_strides [1, 2, 2] must be four positive strides")]
    [InlineData("""{"kind": "video-resnet", "temporal_strides": [1, 0, 1, 1]}""", "temporal_strides [1, 0, 1, 1] must be four positive strides")]
    [InlineData("""{"kind": "video-resnet", "block": "basic", "inner_widths": [8, 8, 8, 8], "out_widths": [8, 16, 32, 64]}""",
        "basic blocks have no inner width: inner_widths [8, 8, 8, 8] must equal out_widths [8, 16, 32, 64]")]
    public void Architecture_errors_say_what_is_wrong(string json, string message)
    {
        using var package = WeightPackage.Open(Write(PackageMetadata.FormatName, _current, json));
        var e = Assert.Throws<EngineException>(() => VideoResNetArchitecture.Parse(package.Architecture, package.Path));
        Assert.Contains(message, e.Message);
        Assert.StartsWith($"{package.Path}: architecture: ", e.Message);
    }

    public void Dispose() => _work.Delete(recursive: true);
}
