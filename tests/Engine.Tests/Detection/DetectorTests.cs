using System.Runtime.InteropServices;
using System.Text.Json;
using Engine.Files;
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

    private static readonly Lazy<JsonElement> _cases = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Dir(Set), "cases.json"))).RootElement);

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

    private void Compare(string name, string checkpoint, bool denseOnly)
    {
        var c = _cases.Value.GetProperty(name);
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
            Compare(name, "transformed", graph.ReadTorch(DetectorBuilder.TransformedImage));
            if (nonlocal)
                Compare(name, "backbone.nonlocal", graph.ReadTorch(DetectorBuilder.NonLocalOutput));
            foreach (var level in DetectorBuilder.Levels)
            {
                Compare(name, $"rpn.objectness.p{level}", graph.ReadTorch($"rpn.objectness.p{level}"));
                Compare(name, $"rpn.deltas.p{level}", graph.ReadTorch($"rpn.deltas.p{level}"));
            }
            if (denseOnly)
                return;
            var order = MatchProposals(name, graph);
            var classes = Fixtures.Npy(Set, $"{name}.roi.box.logits").Shape[1];
            Compare(name, "roi.box.logits", Rows(graph, "roi.box.logits", order, classes));
            Compare(name, "roi.box.deltas", Rows(graph, "roi.box.deltas", order, 4 * classes));
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
    /// The proposals in torchvision's order up to the order of near-equal scores: as many as
    /// torchvision's, in non-increasing probability, and each torchvision proposal i matched by a
    /// distinct engine proposal whose box is within 1e-4 of the proposals' largest coordinate and
    /// whose probability is within 1e-4 of its own. Both lists are sorted, so a match can only move a
    /// row among rows of equal score to 1e-4: the order of scores closer than the dense network's fp32
    /// noise is not defined by torchvision either (it moves between torch runs). Returns the engine
    /// row of each torchvision row.
    /// </summary>
    private int[] MatchProposals(string name, CompiledGraph graph)
    {
        var expected = Fixtures.Npy(Set, $"{name}.rpn.proposals").ToFloats();
        var expectedScores = Fixtures.Npy(Set, $"{name}.rpn.scores").ToFloats();
        var count = (int)graph.Tensor("rpn.count").Download<uint>()[0];
        Assert.True(count == expectedScores.Length, $"{name}: {count} proposals, torchvision {expectedScores.Length}");
        var boxes = graph.Read(DetectorBuilder.ProposalsTensor);
        var scores = graph.Read(DetectorBuilder.ProposalScores);
        for (var j = 1; j < count; j++)
            Assert.True(scores[j] <= scores[j - 1], $"{name}: proposal {j} scores {scores[j]} after {scores[j - 1]}");
        var tolerance = 1e-4 * expected.Max(v => Math.Abs((double)v));
        var order = new int[count];
        var used = new bool[count];
        for (var i = 0; i < count; i++)
        {
            var match = -1;
            for (var j = 0; j < count && match < 0; j++)
            {
                if (!used[j] && Math.Abs(scores[j] - expectedScores[i]) <= 1e-4 && MaxAbsDifference(boxes.AsSpan(4 * j, 4), expected.AsSpan(4 * i, 4)) <= tolerance)
                    match = j;
            }
            Assert.True(match >= 0, $"{name}: torchvision proposal {i} (score {expectedScores[i]}, box {string.Join(", ", expected.AsSpan(4 * i, 4).ToArray())}) "
                + $"has no engine match; engine row {i}: score {scores[i]}, box {string.Join(", ", boxes.AsSpan(4 * i, 4).ToArray())}");
            (order[i], used[match]) = (match, true);
        }
        output.WriteLine($"{name} rpn.proposals: {count} matched, {order.Where((j, i) => j != i).Count()} rows moved among near-equal scores");
        return order;
    }

    private static double MaxAbsDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var worst = 0.0;
        for (var i = 0; i < a.Length; i++)
            worst = Math.Max(worst, Math.Abs((double)a[i] - b[i]));
        return worst;
    }

    /// <summary>Rows <paramref name="order"/> and the first <paramref name="columns"/> columns of a (R, 1, 1, 1, Cp) head output.</summary>
    private static NpyArray Rows(CompiledGraph graph, string tensor, int[] order, int columns)
    {
        var values = graph.Read(tensor);
        var cp = graph.Spec(tensor).Shape[-1];
        var result = new float[order.Length * columns];
        for (var r = 0; r < order.Length; r++)
            Array.Copy(values, (long)order[r] * cp, result, (long)r * columns, columns);
        return NpyArray.FromFloats(new Engine.Gpu.Shape(order.Length, columns), result);
    }

    /// <summary>
    /// Final detections as sets: the same number, and every torchvision detection matched by an engine
    /// detection of the same label at IoU >= 0.99 with the score within 1e-4; the matched masks' mean
    /// absolute difference at most 1e-3.
    /// </summary>
    private void CompareDetections(string name, CompiledGraph graph, bool masks)
    {
        var expectedBoxes = Fixtures.Npy(Set, $"{name}.detections.boxes").ToFloats();
        var expectedScores = Fixtures.Npy(Set, $"{name}.detections.scores").ToFloats();
        var expectedLabels = Ints($"{name}.detections.labels");
        var count = (int)graph.Tensor(DetectorBuilder.Count).Download<uint>()[0];
        Assert.True(count == expectedScores.Length, $"{name}: {count} detections, torchvision {expectedScores.Length}");
        var boxes = graph.Read(DetectorBuilder.Boxes);
        var scores = graph.Read(DetectorBuilder.Scores);
        var labels = graph.Tensor(DetectorBuilder.Labels).Download<int>();
        var (h, w) = (0, 0);
        float[]? actualMasks = null, expectedMasks = null;
        if (masks)
        {
            var spec = graph.Spec(DetectorBuilder.Masks).Shape;
            (h, w) = (spec[1], spec[2]);
            actualMasks = graph.Read(DetectorBuilder.Masks);
            expectedMasks = Fixtures.Npy(Set, $"{name}.detections.masks").ToFloats();
        }
        var used = new bool[count];
        var maskError = 0.0;
        for (var e = 0; e < count; e++)
        {
            var match = -1;
            for (var a = 0; a < count && match < 0; a++)
            {
                if (!used[a] && labels[a] == expectedLabels[e] && Math.Abs(scores[a] - expectedScores[e]) <= 1e-4
                    && Iou(boxes.AsSpan(4 * a, 4), expectedBoxes.AsSpan(4 * e, 4)) >= 0.99)
                    match = a;
            }
            Assert.True(match >= 0, $"{name}: torchvision detection {e} (label {expectedLabels[e]}, score {expectedScores[e]}, box "
                + $"{string.Join(", ", expectedBoxes.AsSpan(4 * e, 4).ToArray())}) has no engine match");
            used[match] = true;
            if (masks)
            {
                double sum = 0;
                var plane = (long)h * w;
                for (long i = 0; i < plane; i++)
                    sum += Math.Abs(actualMasks![match * plane + i] - expectedMasks![e * plane + i]);
                maskError = Math.Max(maskError, sum / plane);
            }
        }
        output.WriteLine($"{name} detections: {count} matched" + (masks ? $", worst mask mean absolute difference {maskError:g3}" : ""));
        Assert.True(maskError <= 1e-3, $"{name}: mask mean absolute difference {maskError:g3} > 1e-3");
    }

    private static int[] Ints(string array)
    {
        var a = Fixtures.Npy(Set, array);
        Assert.Equal(Engine.Gpu.DataType.Int32, a.Type);
        return MemoryMarshal.Cast<byte, int>(a.Data).ToArray();
    }

    internal static double Iou(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var iw = Math.Max(0, Math.Min(a[2], b[2]) - Math.Max(a[0], b[0]));
        var ih = Math.Max(0, Math.Min(a[3], b[3]) - Math.Max(a[1], b[1]));
        var inter = (double)iw * ih;
        var union = (double)(a[2] - a[0]) * (a[3] - a[1]) + (double)(b[2] - b[0]) * (b[3] - b[1]) - inter;
        return union > 0 ? inter / union : a.SequenceEqual(b) ? 1 : 0;
    }

    /// <summary>Every element within 1e-4 of the expected tensor's largest magnitude; (N, C, 1, H, W) dumps compare with torch's (N, C, H, W).</summary>
    private void Compare(string name, string tensor, NpyArray actual, double tolerance = 1e-4)
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
        output.WriteLine($"{name} {tensor}: max abs error {worst / scale:g3} of the largest magnitude");
        Assert.True(worst <= tolerance * scale, $"{name} {tensor}: max abs error {worst:g3} at {at} ({a[at]} vs {e[at]}), allowed {tolerance * scale:g3}");
    }

    /// <summary>Converts a fixture checkpoint into a temporary package; the caller deletes it.</summary>
    internal static string Convert(string checkpoint)
    {
        var output = Path.Combine(Path.GetTempPath(), $"detector-{Guid.NewGuid():N}.safetensors");
        using var source = CheckpointReader.Open(Path.Combine(Fixtures.Dir(Set), checkpoint));
        var options = new ConvertOptions();
        PackageWriter.Write(DialectDetector.Map(source, options), source, output, options.Labels);
        return output;
    }
}
