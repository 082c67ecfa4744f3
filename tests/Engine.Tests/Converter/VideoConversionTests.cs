using System.Text.Json.Nodes;
using WeightConverter.Dialects;

namespace Engine.Tests.Converter;

public sealed class VideoConversionTests
{
    [Theory]
    [InlineData("vnl_i3d_nl_wrapped.pkl", "vnl_i3d_nl_wrapped", "video-nonlocal-net")]
    [InlineData("vnl_c2d_nl_flat.pkl", "vnl_c2d_nl_flat", "video-nonlocal-net")]
    [InlineData("vnl_i3d_nl_affine.pkl", "vnl_i3d_nl_affine", "video-nonlocal-net")]
    [InlineData("pyslowfast_i3d_nln.pyth", "pyslowfast_i3d_nln", "pyslowfast")]
    [InlineData("mmaction2_embedded_gaussian.pth", "mmaction2_embedded_gaussian", "mmaction2")]
    [InlineData("mmaction2_gaussian.pth", "mmaction2_gaussian", "mmaction2")]
    [InlineData("mmaction2_dot_product.pth", "mmaction2_dot_product", "mmaction2", "dot_product")]
    [InlineData("mmaction2_concatenation.pth", "mmaction2_concatenation", "mmaction2")]
    [InlineData("mmaction2_embedded_gaussian.safetensors", "mmaction2_embedded_gaussian", "mmaction2")]
    public void Video_checkpoints_convert_to_the_folded_canonical_tensors_and_architecture(string file, string name, string dialect, string? nonLocal = null)
    {
        // Embedded Gaussian and dot product have the same tensors: the flag says which one a checkpoint was trained as.
        var (package, path) = ConverterFixtures.Convert(file, new ConvertOptions { Instantiation = nonLocal });
        try
        {
            using (package)
            {
                ConverterFixtures.AssertMatches(package, $"expected_{name}.safetensors");
                Assert.Equal(dialect, package.Metadata["source_dialect"]);
                Assert.Equal("nonlocal-engine/weights", package.Metadata["format"]);
                Assert.Equal(Engine.Models.PackageMetadata.FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), package.Metadata["format_version"]);
                AssertArchitecture(ConverterFixtures.Architecture(package), ConverterFixtures.Facts(name));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Caffe2_blobs_converted_as_pyslowfast_take_pyslowfast_defaults()
    {
        var (package, path) = ConverterFixtures.Convert("vnl_i3d_nl_wrapped.pkl", new ConvertOptions { Dialect = "pyslowfast" });
        try
        {
            using (package)
            {
                ConverterFixtures.AssertMatches(package, "expected_vnl_i3d_nl_wrapped_as_pyslowfast.safetensors");
                var architecture = ConverterFixtures.Architecture(package);
                AssertArchitecture(architecture, ConverterFixtures.Facts("vnl_i3d_nl_wrapped_as_pyslowfast"));
                Assert.Equal("pyslowfast", package.Metadata["source_dialect"]);
                Assert.Equal([0, 1, 1], architecture["stem"]!["pool"]!["padding"]!.AsArray().Select(v => v!.GetValue<int>()));
                Assert.Equal(8, JsonNode.Parse(package.Metadata["clip"])!["frames"]!.GetValue<int>());
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Family_defaults_and_flags_fill_in_what_the_weights_cannot_tell()
    {
        var (caffe2, caffe2Path) = ConverterFixtures.Convert("vnl_i3d_nl_wrapped.pkl");
        var (mmaction, mmactionPath) = ConverterFixtures.Convert("mmaction2_embedded_gaussian.pth", new ConvertOptions { UseScale = true, Frames = 16, SamplingRate = 4 });
        try
        {
            using (caffe2)
            using (mmaction)
            {
                var c = ConverterFixtures.Architecture(caffe2);
                Assert.Equal("fully_conv", c["head"]!["kind"]!.GetValue<string>());
                Assert.Equal([0, 0, 0], c["stem"]!["pool"]!["padding"]!.AsArray().Select(v => v!.GetValue<int>()));
                Assert.Equal("pool_then_conv", c["nonlocal"]![0]!["subsample"]!.GetValue<string>());
                Assert.True(c["nonlocal"]![0]!["scale"]!.GetValue<bool>());
                Assert.Equal(114.75, JsonNode.Parse(caffe2.Metadata["normalization"])!["mean"]![0]!.GetValue<double>());

                var m = ConverterFixtures.Architecture(mmaction);
                Assert.Equal("global_avg_fc", m["head"]!["kind"]!.GetValue<string>());
                Assert.Equal("conv_then_pool", m["nonlocal"]![0]!["subsample"]!.GetValue<string>());
                Assert.True(m["nonlocal"]![0]!["scale"]!.GetValue<bool>());
                var clip = JsonNode.Parse(mmaction.Metadata["clip"])!;
                Assert.Equal(16, clip["frames"]!.GetValue<int>());
                Assert.Equal(4, clip["sampling_rate"]!.GetValue<int>());
                Assert.Equal(123.675, JsonNode.Parse(mmaction.Metadata["normalization"])!["mean"]![0]!.GetValue<double>());
            }
        }
        finally
        {
            File.Delete(caffe2Path);
            File.Delete(mmactionPath);
        }
    }

    [Theory]
    [InlineData("labels.txt")]
    [InlineData("classids.json")]
    [InlineData("slowfast_classnames.json")]
    public void Label_files_of_every_format_are_recorded_in_class_order(string labels)
    {
        var names = WeightConverter.Package.LabelFile.Read(ConverterFixtures.File(labels));
        var (package, path) = ConverterFixtures.Convert("pyslowfast_i3d_nln.pyth", new ConvertOptions { Labels = names });
        try
        {
            using (package)
            {
                var recorded = JsonNode.Parse(package.Metadata["labels"])!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
                Assert.Equal(Enumerable.Range(0, 10).Select(i => $"class {i}"), recorded);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void AssertArchitecture(JsonNode architecture, JsonNode facts)
    {
        Assert.Equal("video-resnet", architecture["kind"]!.GetValue<string>());
        Assert.Equal(facts["depth"]!.GetValue<int>(), architecture["depth"]!.GetValue<int>());
        var width = facts["base_width"]!.GetValue<int>();
        Assert.Equal(width, architecture["stem_width"]!.GetValue<int>());
        Assert.Equal($"[{width},{2 * width},{4 * width},{8 * width}]", architecture["inner_widths"]!.ToJsonString());
        Assert.Equal(facts["stage_blocks"]!.ToJsonString(), architecture["stage_blocks"]!.ToJsonString());
        Assert.Equal(facts["temporal_kernels"]!.ToJsonString(), architecture["temporal_kernels"]!.ToJsonString());
        Assert.Equal(facts["classes"]!.GetValue<int>(), architecture["head"]!["classes"]!.GetValue<int>());
        var nonLocal = architecture["nonlocal"]!.AsArray()
            .Select(n => $"{n!["stage"]}.{n["block"]}:{n["instantiation"]}:{n["output"]}").ToArray();
        var expected = facts["nonlocal"]!.AsArray().Select(n => $"{n![0]}.{n[1]}:{n[2]!.GetValue<string>()}:{n[3]!.GetValue<string>()}").ToArray();
        Assert.Equal(expected, nonLocal);
    }
}
