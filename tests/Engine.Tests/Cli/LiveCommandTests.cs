using System.Text.Json;
using Engine.Tests.Host;

namespace Engine.Tests.Cli;

/// <summary>`engine live --config FILE` as a user runs it (a child process): two streams, shared JSON lines, a recording per stream.</summary>
public sealed class LiveCommandTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("engine-live-cli-");

    private string Config(string plugin)
    {
        var path = Path.Combine(_work.FullName, "deploy.yaml");
        File.WriteAllText(path, $"""
            streams:
              - source: synthetic:1
                size: 64x48
                as_fast_as_possible: true
                plugins:
            {plugin}
              - id: second
                source: synthetic:2
                size: 64x48
                as_fast_as_possible: true
                plugins: [colour-head]
            outputs:
              json: {Path.Combine(_work.FullName, "all.jsonl")}
              record: {Path.Combine(_work.FullName, "recordings")}
            """);
        return path;
    }

    [ToolFact("ffmpeg", "ffprobe")]
    public void A_config_file_runs_its_streams_into_one_json_lines_file_and_a_recording_each()
    {
        var config = Config("      - id: colour-head\n        parameters: { frames: 3 }");
        // Bounded by predictions, not seconds: a loaded machine only takes longer. The guard catches a hang.
        var run = CliProcess.RunEngine(TimeSpan.FromMinutes(10), "live", "--config", config, "--plugin-path", PluginCatalogTests.TestPlugins, "--headless", "--predictions", "6");
        Assert.True(run.Code == 0, run.Stdout + run.Stderr);
        Assert.Contains("synthetic:1: ", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("second: ", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("total: ", run.Stdout, StringComparison.Ordinal);
        var streams = File.ReadAllLines(Path.Combine(_work.FullName, "all.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("stream").GetString()).ToHashSet();
        Assert.Subset(new HashSet<string?> { "synthetic:1", "second" }, streams);
        Assert.Equal(["second.mp4", "synthetic_1.mp4"], Directory.GetFiles(Path.Combine(_work.FullName, "recordings")).Select(Path.GetFileName).Order());
        var (_, width, height) = TestMedia.Probe(Path.Combine(_work.FullName, "recordings", "second.mp4"));
        Assert.Equal((64, 48), (width, height));
    }

    [Fact]
    public void A_parameter_out_of_range_in_a_config_file_is_one_error_naming_the_file_and_the_key()
    {
        var config = Config("      - id: colour-head\n        parameters: { frames: 99 }");
        var run = CliProcess.RunEngine(TimeSpan.FromMinutes(5), "live", "--config", config, "--plugin-path", PluginCatalogTests.TestPlugins, "--headless", "--predictions", "1");
        Assert.Equal(2, run.Code);
        Assert.Contains($"{config}: streams[0].plugins[0].parameters.frames: parameter 'frames': 99 is outside [1, 16].", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_source_flag_beside_a_config_file_is_refused_naming_the_key_to_use()
    {
        var config = Config("      - colour-head");
        var run = CliProcess.RunEngine(TimeSpan.FromMinutes(5), "live", "--config", config, "--fps", "5", "--plugin-path", PluginCatalogTests.TestPlugins, "--headless", "--predictions", "1");
        Assert.Equal(2, run.Code);
        Assert.Contains($"--config {config} sets each stream's source options; --fps cannot be added to it: set `fps` on the stream in the file.", run.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _work.Delete(recursive: true);
}
