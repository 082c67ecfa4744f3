using System.Runtime.InteropServices;
using Engine.Graph;
using Engine.Models;
using Engine.Models.Detection;
using Engine.Ops.Detection;
using Engine.Tests.Gpu;
using WeightConverter.Containers;
using WeightConverter.Dialects;
using WeightConverter.Package;
using Xunit.Abstractions;

namespace Engine.Tests.Detection;

/// <summary>
/// torchvision's Mask/Faster R-CNN R50-FPN (random weights, randomised BN statistics, raised class
/// biases; tests/fixtures/gen_detector.py) through the converter and the engine's detector graph.
/// </summary>
public sealed class DetectorTests(GpuFixture fixture, ITestOutputHelper output) : GpuTest(fixture)
{
    private const string Set = "detector";

    private readonly DetectionSets _sets = new(Set, "torchvision", output);

    // The whole detector for every package kind at min size 320: the dense parts are compared as in
    // the 800x1088 case, then proposals, box-head outputs, detections and masks.
    [Theory]
    [InlineData("stock", "stock.pth")]
    [InlineData("stock", "stock_legacy.pth")]
    [InlineData("nonlocal", "nonlocal.pth")]
    [InlineData("faster", "faster.pth")]
    [InlineData("overconfident", "overconfident.pth")] // > 10,000 (box, class) candidates; the 100th detection ranks past 4096 of them
    public void Detector_matches_torchvision_from_rpn_head_to_detections_at_min_size_320(string name, string checkpoint) => Compare(name, checkpoint, denseOnly: false);

    [Fact]
    public void Nonlocal_detector_rpn_head_matches_torchvision_at_800x1088() => Compare("nonlocal_800", "nonlocal_800.pth", denseOnly: true);

    // The two batched_nms calls of the detectors above on every candidate: 3-4 thousand RPN boxes in
    // five levels, and thousands of (proposal, class) boxes; the engine's NMS with all of them taking part.
    [Theory]
    [InlineData("stock", "rpn", 0.7f)]
    [InlineData("stock", "box", 0.5f)]
    [InlineData("nonlocal", "rpn", 0.7f)]
    [InlineData("faster", "box", 0.5f)]
    public void Nms_over_thousands_of_grouped_candidates_keeps_what_torchvision_batched_nms_keeps(string name, string stage, float iou)
    {
        var prefix = $"{name}.nms.{stage}";
        using var boxes = DetectionFixtures.Upload(Device, "boxes", Fixtures.Npy(Set, $"{prefix}.boxes"));
        using var scores = DetectionFixtures.Upload(Device, "scores", Fixtures.Npy(Set, $"{prefix}.scores"));
        using var groups = DetectionFixtures.Ints(Device, "groups", Ints($"{prefix}.groups"));
        var n = (int)scores.ElementCount;
        Assert.True(n > 3000, $"{prefix}: only {n} candidates");
        using var keep = Device.CreateTensor("keep", new Engine.Gpu.Shape(n), Engine.Gpu.DataType.Int32);
        using var keepCount = DetectionFixtures.Count(Device, "keep count");
        using var scratch = DetectionFixtures.Scratch(Device, Nms.ScratchBytes(Device, n));
        Device.Run(new Nms(Device, boxes, scores, keep, keepCount, iou, scratch, groups: groups).Record);
        Assert.Equal(Ints($"{prefix}.keep"), DetectionFixtures.Valid(keep, keepCount));
    }

    [Fact]
    public void Converter_maps_the_mmcv_nonlocal_block_before_the_last_res4_block()
    {
        var path = Convert("nonlocal.pth");
        try
        {
            using var package = WeightPackage.Open(path);
            var arch = DetectorArchitecture.Parse(package.Architecture, path);
            var nl = Assert.Single(arch.Nonlocal);
            Assert.Equal((4, 5), (nl.Stage, nl.BeforeBlock));
            var entry = package.Architecture.GetProperty("nonlocal")[0];
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

    private void Compare(string name, string checkpoint, bool denseOnly)
    {
        var c = Fixtures.Case(Set, name);
        var image = Fixtures.Npy(Set, $"{name}.image");
        var path = Convert(checkpoint);
        try
        {
            using var package = WeightPackage.Open(path);
            var builder = DetectorBuilder.Build(package, image.Shape[1], image.Shape[2], c.GetProperty("min_size").GetInt32(), c.GetProperty("max_size").GetInt32(), denseOnly: denseOnly);
            var nonlocal = c.GetProperty("nonlocal").GetBoolean();
            string[] keep = [DetectorBuilder.TransformedImage,
                .. denseOnly ? Array.Empty<string>() : [DetectorBuilder.ProposalsTensor, DetectorBuilder.ProposalScores, "rpn.count", "roi.box.logits", "roi.box.valid.count",
                    "roi.box.deltas", .. DetectorBuilder.Levels.SelectMany(l => new[] { $"rpn.objectness.p{l}", $"rpn.deltas.p{l}" })],
                .. nonlocal ? [DetectorBuilder.NonLocalOutput] : Array.Empty<string>()];
            using var graph = builder.Compile(Device, new CompileOptions { Keep = keep });
            graph.SetInput(DetectorBuilder.Input, image.ToFloats());
            graph.Run();
            _sets.Compare(name, "transformed", graph.ReadTorch(DetectorBuilder.TransformedImage).ToFloats());
            if (nonlocal)
                _sets.Compare(name, "backbone.nonlocal", graph.ReadTorch(DetectorBuilder.NonLocalOutput).ToFloats());
            foreach (var level in DetectorBuilder.Levels)
            {
                _sets.Compare(name, $"rpn.objectness.p{level}", graph.ReadTorch($"rpn.objectness.p{level}").ToFloats());
                _sets.Compare(name, $"rpn.deltas.p{level}", graph.ReadTorch($"rpn.deltas.p{level}").ToFloats());
            }
            if (denseOnly)
                return;
            var order = _sets.MatchProposals(name, graph);
            var classes = Fixtures.Npy(Set, $"{name}.roi.box.logits").Shape[1];
            _sets.Compare(name, "roi.box.logits", DetectionSets.Rows(graph, "roi.box.logits", order, classes));
            _sets.Compare(name, "roi.box.deltas", DetectionSets.Rows(graph, "roi.box.deltas", order, 4 * classes));
            if (c.TryGetProperty("box_candidates", out var candidates))
            {
                var valid = (int)graph.Tensor("roi.box.valid.count").Download<uint>()[0];
                output.WriteLine($"{name}: {valid} (box, class) candidates above 0.05, torchvision {candidates.GetInt32()}");
                // Thousands of probabilities crowd the 0.05 threshold, so fp32 noise may move a few across it.
                Assert.True(valid > 10000 && Math.Abs(valid - candidates.GetInt32()) <= 10, $"{name}: {valid} candidates, torchvision {candidates.GetInt32()}");
            }
            CompareDetections(name, graph, c.GetProperty("mask").GetBoolean());
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Final detections as sets: the same number, and every torchvision detection matched by an engine
    /// detection of the same label at IoU >= 0.99 with the score within 1e-4; the matched masks' mean
    /// absolute difference at most 1e-3.
    /// </summary>
    private void CompareDetections(string name, CompiledGraph graph, bool masks)
    {
        var order = _sets.MatchDetections(name, graph);
        var maskError = 0.0;
        if (masks)
        {
            var spec = graph.Spec(DetectorBuilder.Masks).Shape;
            var plane = (long)spec[1] * spec[2];
            var actualMasks = graph.Read(DetectorBuilder.Masks);
            var expectedMasks = Fixtures.Npy(Set, $"{name}.detections.masks").ToFloats();
            for (var e = 0; e < order.Length; e++)
            {
                double sum = 0;
                for (long i = 0; i < plane; i++)
                    sum += Math.Abs(actualMasks[order[e] * plane + i] - expectedMasks[e * plane + i]);
                maskError = Math.Max(maskError, sum / plane);
            }
        }
        output.WriteLine($"{name} detections: {order.Length} matched" + (masks ? $", worst mask mean absolute difference {maskError:g3}" : ""));
        Assert.True(maskError <= 1e-3, $"{name}: mask mean absolute difference {maskError:g3} > 1e-3");
    }

    private static int[] Ints(string array)
    {
        var a = Fixtures.Npy(Set, array);
        Assert.Equal(Engine.Gpu.DataType.Int32, a.Type);
        return MemoryMarshal.Cast<byte, int>(a.Data).ToArray();
    }

    /// <summary>Converts a checkpoint of fixture set <paramref name="set"/> into a temporary package; the caller deletes it.</summary>
    internal static string Convert(string checkpoint, string set = Set)
    {
        var output = Path.Combine(Path.GetTempPath(), $"detector-{Guid.NewGuid():N}.safetensors");
        using var source = CheckpointReader.Open(Path.Combine(Fixtures.Dir(set), checkpoint));
        var options = new ConvertOptions();
        PackageWriter.Write(DialectDetector.Map(source, options), source, output, options.Labels);
        return output;
    }
}
