using Engine.Graph;
using Engine.Models;
using Engine.Models.Detection;
using Engine.Tests.Gpu;
using Xunit.Abstractions;

namespace Engine.Tests.Detection;

/// <summary>
/// detectron2's Mask R-CNN R50-FPN (random weights, random FrozenBN statistics, raised class biases;
/// tests/fixtures/gen_detector_detectron2.py, which follows detectron2's code rule by rule) from its
/// DetectionCheckpointer file through the converter and the engine's detector graph: the dense
/// network within 1e-4 of its scale, the proposals and detections as sets (IoU >= 0.99, scores
/// within 1e-4, labels equal), the pasted mask probabilities within 1e-3 mean absolute difference
/// (as the torchvision detector test) and detectron2's binary masks (probability >= 0.5) on all but
/// 1e-3 of the pixels.
/// </summary>
public sealed class Detectron2DetectorTests(GpuFixture fixture, ITestOutputHelper output) : GpuTest(fixture)
{
    private const string Set = "detector_detectron2";

    private readonly DetectionSets _sets = new(Set, "detectron2", output);

    [Theory]
    [InlineData("plain")] // 320x427: padded width 448
    [InlineData("nonlocal")] // 400x320: a P6 of 7 rows, where detectron2's fixed stride 64 differs from torchvision's 416 // 7
    [InlineData("empty")] // one class regressed off the image: 18 of the NMS's 100 are empty boxes, which detectron2 keeps until its postprocess drops them
    public void Detectron2_detector_matches_detectron2_from_input_to_masks(string name)
    {
        var c = Fixtures.Case(Set, name);
        var image = Fixtures.Npy(Set, $"{name}.image");
        var path = DetectorTests.Convert($"{name}.pth", Set);
        try
        {
            using var package = WeightPackage.Open(path);
            var arch = DetectorBuilder.Architecture(package);
            Assert.True(arch.Detectron2 && arch.StrideIn1x1 && arch.RoiAlignAligned, $"{name}: converted as {arch}");
            var builder = DetectorBuilder.Build(package, image.Shape[1], image.Shape[2], c.GetProperty("min_size").GetInt32(), c.GetProperty("max_size").GetInt32());
            var nonlocal = c.GetProperty("nonlocal").GetBoolean();
            string[] keep = [DetectorBuilder.TransformedImage, DetectorBuilder.ProposalsTensor, DetectorBuilder.ProposalScores, "rpn.count", "roi.box.logits", "roi.box.deltas",
                .. DetectorBuilder.Levels.SelectMany(l => new[] { $"rpn.objectness.p{l}", $"rpn.deltas.p{l}" }),
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
            var order = _sets.MatchProposals(name, graph);
            var classes = arch.Classes;
            _sets.Compare(name, "roi.box.logits", DetectionSets.Rows(graph, "roi.box.logits", order, classes));
            _sets.Compare(name, "roi.box.deltas", DetectionSets.Rows(graph, "roi.box.deltas", order, 4 * (classes - 1)));
            CompareDetections(name, graph);
        }
        finally
        {
            File.Delete(path);
        }
    }

    // Sizes detectron2's data/transforms/augmentation_impl.py:ResizeShortestEdge.get_output_shape printed
    // (the mirror's detectron2, 2026-12-06); torchvision's floor gives (800, 1066), (1066, 800), (443, 1333) and (799, 1199) for the first four.
    [Theory]
    [InlineData(480, 640, 800, 1333, 800, 1067)]
    [InlineData(640, 480, 800, 1333, 1067, 800)]
    [InlineData(333, 1000, 800, 1333, 444, 1333)]
    [InlineData(427, 640, 800, 1333, 800, 1199)]
    [InlineData(200, 260, 320, 480, 320, 416)]
    public void Resized_size_is_resize_shortest_edge_rounded(int h, int w, int minSize, int maxSize, int expectedH, int expectedW) =>
        Assert.Equal((expectedH, expectedW), Detectron2Rules.ResizedSize(h, w, minSize, maxSize));

    /// <summary>Every detectron2 detection matched by a distinct engine detection: same label, score within 1e-4, IoU >= 0.99; then its masks.</summary>
    private void CompareDetections(string name, CompiledGraph graph)
    {
        var order = _sets.MatchDetections(name, graph);
        var expectedMasks = Fixtures.Npy(Set, $"{name}.detections.masks").ToFloats();
        var expectedBits = Fixtures.Npy(Set, $"{name}.detections.bitmasks").Data;
        var masks = graph.Read(DetectorBuilder.Masks);
        var plane = expectedMasks.LongLength / Math.Max(1, order.Length);
        var (maskError, bitErrors) = (0.0, 0L);
        for (var e = 0; e < order.Length; e++)
        {
            double sum = 0;
            for (long i = 0; i < plane; i++)
            {
                var p = masks[order[e] * plane + i];
                sum += Math.Abs(p - expectedMasks[e * plane + i]);
                bitErrors += (p >= 0.5f ? 1 : 0) != expectedBits[e * plane + i] ? 1 : 0;
            }
            maskError = Math.Max(maskError, sum / plane);
        }
        var bitFraction = (double)bitErrors / Math.Max(1, plane * order.Length);
        output.WriteLine($"{name} detections: {order.Length} matched, worst mask mean absolute difference {maskError:g3}, binary masks differ on {bitErrors} pixels ({bitFraction:g3})");
        Assert.True(maskError <= 1e-3, $"{name}: mask mean absolute difference {maskError:g3} > 1e-3");
        Assert.True(bitFraction <= 1e-3, $"{name}: binary masks differ on {bitFraction:g3} of the pixels > 1e-3");
    }
}
