using System.Text.Json.Nodes;
using WeightConverter.Dialects;

namespace Engine.Tests.Converter;

public sealed class ResNetAndDetectorConversionTests
{
    [Theory]
    [InlineData(null, "expected_torchvision_resnet50.safetensors", "[[1,1,1],[1,1,1,1],[1,1,1,1,1,1],[1,1,1]]", 1)]
    [InlineData("c2d", "expected_torchvision_resnet50.safetensors", "[[1,1,1],[1,1,1,1],[1,1,1,1,1,1],[1,1,1]]", 1)]
    [InlineData("i3d", "expected_torchvision_resnet50_i3d.safetensors", "[[3,3,3],[3,1,3,1],[3,1,3,1,3,1],[1,3,1]]", 5)]
    public void Torchvision_resnet50_converts_as_2d_or_inflated(string? inflate, string expected, string temporal, int stemKt)
    {
        var (package, path) = ConverterFixtures.Convert("torchvision_resnet50.pth", new ConvertOptions { Inflate = inflate });
        try
        {
            using (package)
            {
                ConverterFixtures.AssertMatches(package, expected);
                var architecture = ConverterFixtures.Architecture(package);
                Assert.Equal(50, architecture["depth"]!.GetValue<int>());
                Assert.Equal(temporal, architecture["temporal_kernels"]!.ToJsonString());
                Assert.Equal(stemKt, architecture["stem"]!["kernel"]![0]!.GetValue<int>());
                Assert.Equal(1000, architecture["head"]!["classes"]!.GetValue<int>());
                Assert.Equal(inflate is null ? 1 : 8, JsonNode.Parse(package.Metadata["clip"])!["frames"]!.GetValue<int>());
                Assert.Equal(inflate is not null, architecture["pool_after_res2"] is not null);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("torchvision_maskrcnn.pth", "torchvision", "first", "maskrcnn-fpn")]
    [InlineData("torchvision_maskrcnn_legacy.pth", "torchvision", "first", "maskrcnn-fpn")]
    [InlineData("torchvision_fasterrcnn.pth", "torchvision", "first", "fasterrcnn-fpn")]
    [InlineData("detectron2_maskrcnn.pkl", "detectron2", "last", "maskrcnn-fpn")]
    public void Detector_checkpoints_map_to_the_canonical_detector_names(string file, string dialect, string background, string kind)
    {
        var (package, path) = ConverterFixtures.Convert(file);
        try
        {
            using (package)
            {
                ConverterFixtures.AssertMatches(package, kind == "maskrcnn-fpn" ? "expected_detector.safetensors" : "expected_detector_box.safetensors");
                var architecture = ConverterFixtures.Architecture(package);
                Assert.Equal(kind, architecture["kind"]!.GetValue<string>());
                Assert.Equal("[2,1,1,1]", architecture["stage_blocks"]!.ToJsonString());
                Assert.Equal(16, architecture["fpn_channels"]!.GetValue<int>());
                Assert.Equal(5, architecture["classes"]!.GetValue<int>());
                Assert.Equal(background, architecture["background"]!.GetValue<string>());
                Assert.Equal(dialect == "detectron2", architecture["stride_in_1x1"]!.GetValue<bool>());
                Assert.Equal(dialect, package.Metadata["source_dialect"]);
                Assert.Equal(kind == "maskrcnn-fpn", package.Contains("roi.mask.logits.weight"));
                if (dialect == "detectron2")
                {
                    // A detectron2 checkpoint carries no config: what its weights cannot tell is config/defaults.py's, each a recorded assumption.
                    var assumed = JsonNode.Parse(package.Metadata["settings"])!.AsArray().Where(s => s!["source"]!.GetValue<string>() == "default (warning)")
                        .Select(s => s!["setting"]!.GetValue<string>());
                    Assert.Equal(["stride_in_1x1", "min_size", "max_size", "normalization"], assumed);
                    Assert.Equal("bgr", JsonNode.Parse(package.Metadata["normalization"])!["space"]!.GetValue<string>());
                }
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
