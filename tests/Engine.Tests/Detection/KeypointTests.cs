using Engine.Graph;
using Engine.Models;
using Engine.Models.Detection;
using Engine.Ops.Detection;
using Engine.Tests.Gpu;
using Engine.Tests.Ops;
using Xunit.Abstractions;

namespace Engine.Tests.Detection;

/// <summary>
/// torchvision's Keypoint R-CNN R50-FPN (random weights, randomised BN statistics, the person bias
/// set for a few dozen detections; tests/fixtures/gen_keypoint.py) through the converter and the
/// engine's detector graph, and the heatmap decoding alone on torchvision's own heatmaps.
/// </summary>
public sealed class KeypointTests(GpuFixture fixture, ITestOutputHelper output) : GpuTest(fixture)
{
    private const string Set = "keypoint";

    /// <summary>
    /// Keypoint scores are heatmap maxima: the engine's heatmaps come from eight 512-channel convs in
    /// a different summation order than torch's, a difference of about 1e-5 of the heatmaps' scale
    /// (below 1 here); measured within 1.5e-6.
    /// </summary>
    private const double ScoreTolerance = 1e-5;

    /// <summary>
    /// A keypoint farther than 0.5 px from torchvision's is accepted only as the other of two maxima
    /// whose values agree within <see cref="ScoreTolerance"/> (torch's own 5e-6 relative noise picks
    /// either; gen_keypoint.py), and at most one keypoint in this many may be one.
    /// </summary>
    private const int KeypointsPerNearTie = 100;

    // Input and output of torchvision's heatmaps_to_keypoints itself: the same maps give the same pixels.
    [Theory]
    [InlineData("stock")]
    [InlineData("nonlocal")]
    public void Heatmap_keypoints_match_torchvision_heatmaps_to_keypoints(string name)
    {
        var heatmaps = OpFixtures.ToChannelsLast(Fixtures.Npy(Set, $"{name}.keypoint.heatmaps"));
        var (r, k) = (heatmaps.Shape[0], heatmaps.Channels);
        using var maps = Device.CreateTensor<float>("heatmaps", heatmaps.Shape, heatmaps.Data);
        using var boxes = DetectionFixtures.Upload(Device, "boxes", Fixtures.Npy(Set, $"{name}.keypoint.rois"));
        // The last row lies past the count and must come out as zeros.
        using var count = DetectionFixtures.Count(Device, "count", (uint)(r - 1));
        using var keypoints = Device.CreateTensor("keypoints", new Engine.Gpu.Shape(r, k, 3));
        Device.Run(new HeatmapKeypoints(Device, maps, boxes, keypoints, (1f, 1f), count).Record);
        var actual = keypoints.Download<float>();
        var expected = Fixtures.Npy(Set, $"{name}.keypoint.resized").ToFloats();
        var scores = Fixtures.Npy(Set, $"{name}.detections.keypoints_scores").ToFloats();
        for (var i = 0; i < (r - 1) * k; i++)
        {
            var where = $"{name} box {i / k} keypoint {i % k}";
            Assert.True(Math.Abs(actual[3 * i] - expected[3 * i]) <= 1e-3 && Math.Abs(actual[3 * i + 1] - expected[3 * i + 1]) <= 1e-3,
                $"{where}: ({actual[3 * i]}, {actual[3 * i + 1]}), torchvision ({expected[3 * i]}, {expected[3 * i + 1]})");
            Assert.True(Math.Abs(actual[3 * i + 2] - scores[i]) <= 1e-5 * Math.Max(1, Math.Abs(scores[i])), $"{where}: score {actual[3 * i + 2]}, torchvision {scores[i]}");
        }
        Assert.All(actual[(3 * (r - 1) * k)..], v => Assert.Equal(0f, v));
        output.WriteLine($"{name}: {(r - 1) * k} keypoints of {r - 1} boxes equal torchvision's");
    }

    // The whole detector: boxes, labels, scores and keypoints as sets.
    [Theory]
    [InlineData("stock", "stock.pth")]
    [InlineData("stock", "stock_legacy.pth")]
    [InlineData("nonlocal", "nonlocal.pth")]
    public void Keypoint_rcnn_matches_torchvision(string name, string checkpoint)
    {
        var c = Fixtures.Case(Set, name);
        var image = Fixtures.Npy(Set, $"{name}.image");
        var path = DetectorTests.Convert(checkpoint, Set);
        try
        {
            using var package = WeightPackage.Open(path);
            var arch = DetectorBuilder.Architecture(package);
            Assert.Equal(DetectorArchitecture.KeypointKind, arch.Kind);
            Assert.Equal((512, 8), (arch.KeypointHeadDim, arch.KeypointHeadConvs));
            Assert.Equal(["nose", "left_eye"], arch.KeypointNames[..2]);
            Assert.Equal(17, arch.KeypointNames.Length);
            Assert.Equal(c.GetProperty("nonlocal").GetBoolean() ? 1 : 0, arch.Nonlocal.Length);
            var builder = DetectorBuilder.Build(package, image.Shape[1], image.Shape[2], c.GetProperty("min_size").GetInt32(), c.GetProperty("max_size").GetInt32());
            using var graph = builder.Compile(Device, new CompileOptions());
            graph.SetInput(DetectorBuilder.Input, image.ToFloats());
            graph.Run();
            CompareDetections(name, graph);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Every torchvision detection matched by a distinct engine detection of the same label at IoU >=
    /// 0.99 with the score within 1e-4, whose keypoints lie within 0.5 px of torchvision's (but for
    /// <see cref="KeypointsPerNearTie"/>), their scores within <see cref="ScoreTolerance"/>.
    /// </summary>
    private void CompareDetections(string name, CompiledGraph graph)
    {
        var order = new DetectionSets(Set, "torchvision", output).MatchDetections(name, graph);
        var count = order.Length;
        var expectedKeypoints = Fixtures.Npy(Set, $"{name}.detections.keypoints").ToFloats();
        var expectedKeypointScores = Fixtures.Npy(Set, $"{name}.detections.keypoints_scores").ToFloats();
        var keypoints = graph.Read(DetectorBuilder.Keypoints);
        var k = graph.Spec(DetectorBuilder.Keypoints).Shape[1];
        var (worstDistance, worstScore, nearTies) = (0.0, 0.0, 0);
        for (var e = 0; e < count; e++)
        {
            var match = order[e];
            for (var j = 0; j < k; j++)
            {
                var (x, y, s) = (keypoints[(match * k + j) * 3], keypoints[(match * k + j) * 3 + 1], keypoints[(match * k + j) * 3 + 2]);
                var (ex, ey, es) = (expectedKeypoints[(e * k + j) * 3], expectedKeypoints[(e * k + j) * 3 + 1], expectedKeypointScores[e * k + j]);
                var distance = Math.Max(Math.Abs(x - ex), Math.Abs(y - ey));
                worstScore = Math.Max(worstScore, Math.Abs(s - es));
                Assert.True(Math.Abs(s - es) <= ScoreTolerance, $"{name}: detection {e} keypoint {j} score {s}, torchvision {es}");
                if (distance <= 0.5)
                    worstDistance = Math.Max(worstDistance, distance);
                else
                    nearTies++;
            }
        }
        output.WriteLine($"{name}: {count} detections matched; keypoints within {worstDistance:g3} px but {nearTies} of {count * k} at the other "
            + $"of two near-equal maxima; keypoint scores within {worstScore:g3}");
        Assert.True(nearTies * KeypointsPerNearTie <= count * k, $"{name}: {nearTies} of {count * k} keypoints farther than 0.5 px from torchvision's");
    }
}
