using System.Text.Json;
using Engine.Files;
using Engine.Tests.Detection;
using static Engine.Tests.Cli.CliProcess;

namespace Engine.Tests.Cli;

/// <summary>`engine run-model` on a detector package (tests/fixtures/gen_detector.py, gen_keypoint.py), as a user runs it.</summary>
public sealed class DetectorCommandTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("engine-cli-det-");

    [Fact]
    public void Run_model_on_a_detector_writes_detections_json_and_dumps_the_rpn_head()
    {
        var package = DetectorTests.Convert("faster.pth");
        try
        {
            var json = Path.Combine(_work.FullName, "det.json");
            var dump = Path.Combine(_work.FullName, "obj.npy");
            var image = Path.Combine(Fixtures.Dir("detector"), "faster.image.npy");
            var run = RunEngine("run-model", "--model", package, "--input", image, "--output", json, "--min-size", "320", "--max-size", "480",
                "--dump", $"rpn.objectness.p3={dump}");
            Assert.True(run.Code == 0, run.Stderr);
            var expected = Fixtures.Npy("detector", "faster.rpn.objectness.p3").ToFloats();
            var actual = NpyArray.Read(dump).ToFloats();
            Assert.Equal(expected.Length, actual.Length);
            var scale = expected.Max(v => Math.Abs(v));
            Assert.All(expected.Zip(actual), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-4 * scale, $"{p.Second} vs {p.First}"));
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var detections = doc.RootElement.GetProperty("detections").EnumerateArray().ToArray();
            Assert.InRange(detections.Length, 1, 100);
            foreach (var d in detections)
            {
                foreach (var key in new[] { "x1", "y1", "x2", "y2", "score", "label_id" })
                    Assert.Equal(JsonValueKind.Number, d.GetProperty(key).ValueKind);
                Assert.Equal(JsonValueKind.String, d.GetProperty("label").ValueKind);
                Assert.InRange(d.GetProperty("score").GetDouble(), 0.05, 1.0);
                Assert.InRange(d.GetProperty("label_id").GetInt32(), 1, 90);
            }

            var masks = RunEngine("run-model", "--model", package, "--input", image, "--output", json, "--masks", Path.Combine(_work.FullName, "m.npy"));
            Assert.Equal(2, masks.Code);
            Assert.Contains("no mask head", masks.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(package);
        }
    }

    [Fact]
    public void Run_model_on_a_keypoint_detector_writes_the_keypoints_of_every_detection()
    {
        var package = DetectorTests.Convert("stock.pth", "keypoint");
        try
        {
            var json = Path.Combine(_work.FullName, "kp.json");
            var run = RunEngine("run-model", "--model", package, "--input", Path.Combine(Fixtures.Dir("keypoint"), "stock.image.npy"), "--output", json,
                "--min-size", "320");
            Assert.True(run.Code == 0, run.Stderr);
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var detections = doc.RootElement.GetProperty("detections").EnumerateArray().ToArray();
            var expected = Fixtures.Npy("keypoint", "stock.detections.keypoints").ToFloats();
            var expectedScores = Fixtures.Npy("keypoint", "stock.detections.keypoints_scores").ToFloats();
            Assert.Equal(expectedScores.Length / 17, detections.Length);
            Assert.All(detections, d => Assert.Equal(17, d.GetProperty("keypoints").GetArrayLength()));
            // The best detection is torchvision's first; each keypoint is its [x, y, score] (a near-tie of
            // two maxima may move x and y, never the score: see KeypointTests).
            var best = detections[0].GetProperty("keypoints").EnumerateArray().Select(k => k.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
            for (var j = 0; j < 17; j++)
            {
                Assert.True(Math.Abs(best[j][2] - expectedScores[j]) <= 1e-5, $"keypoint {j} score {best[j][2]}, torchvision {expectedScores[j]}");
                Assert.True(Math.Abs(best[j][0] - expected[3 * j]) <= 0.5 && Math.Abs(best[j][1] - expected[3 * j + 1]) <= 0.5,
                    $"keypoint {j} at ({best[j][0]}, {best[j][1]}), torchvision ({expected[3 * j]}, {expected[3 * j + 1]})");
            }
        }
        finally
        {
            File.Delete(package);
        }
    }

    public void Dispose() => _work.Delete(recursive: true);
}
