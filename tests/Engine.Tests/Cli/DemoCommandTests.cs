using Engine.Host;

namespace Engine.Tests.Cli;

/// <summary>`engine demo` as `./engine.sh demo` runs it on a machine with no display and no camera (a child process).</summary>
public sealed class DemoCommandTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("engine-demo-cli-");

    [ToolFact("ffmpeg", "ffprobe")]
    public void Headless_it_runs_the_default_model_until_two_predictions_and_prints_where_its_recording_and_json_lines_are()
    {
        // Bounded by predictions, not seconds: a loaded machine only takes longer. The guard catches a hang.
        var run = CliProcess.RunEngine(TimeSpan.FromMinutes(15), "demo", "--headless", "--source", "synthetic", "--predictions", "2", "--out", _work.FullName);
        Assert.True(run.Code == 0, run.Stdout + run.Stderr);
        var recording = Path.Combine(_work.FullName, "demo.mp4");
        var json = Path.Combine(_work.FullName, "predictions.jsonl");
        Assert.Contains($"recording: {recording}", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"json lines: {json}", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("ground truth: ", run.Stdout, StringComparison.Ordinal);
        var (frames, width, height) = TestMedia.Probe(recording);
        Assert.Equal((320, 240), (width, height));
        Assert.True(frames >= 1, $"{recording} has no frames");
        Assert.Equal(2, JsonLinesPresenter.TopLabels(json, "nonlocal-action").Count());
    }

    public void Dispose() => _work.Delete(recursive: true);
}
