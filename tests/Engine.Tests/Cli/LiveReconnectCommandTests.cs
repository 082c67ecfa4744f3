using System.Diagnostics;
using System.Text.Json;
using Engine.Tests.Host;
using Engine.Tests.Video;

namespace Engine.Tests.Cli;

/// <summary>`engine live` as a user runs it (a child process) against a loopback HTTP stream that fails around it.</summary>
public sealed class LiveReconnectCommandTests : IDisposable
{
    private static readonly TimeSpan _hangGuard = TimeSpan.FromMinutes(5);
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("engine-live-reconnect-");

    /// <summary>The complete JSON lines written so far (frame, top label), read while the engine writes.</summary>
    private static (long Frame, string Label)[] Predictions(string path)
    {
        if (!File.Exists(path))
            return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var text = new StreamReader(stream).ReadToEnd();
        return [.. text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            return (root.GetProperty("frame").GetInt64(), root.GetProperty("topk")[0].GetProperty("label").GetString()!);
        })];
    }

    /// <summary>Waits until a prediction's top label is <paramref name="label"/> (the file is checked each 100 ms; the guard only ends a hang).</summary>
    private static void WaitForPrediction(string path, string label, EngineProcess engine)
    {
        var clock = Stopwatch.StartNew();
        while (!Predictions(path).Any(p => p.Label == label))
        {
            Assert.False(engine.HasExited, $"the engine ended before predicting {label}:\n{engine.Output}");
            Assert.True(clock.Elapsed < _hangGuard, $"no {label} prediction within {_hangGuard.TotalMinutes:0} min:\n{engine.Output}");
            Thread.Sleep(100);
        }
    }

    [ToolFact("ffmpeg", "ffprobe")]
    public void Live_rides_out_a_stream_that_is_down_at_start_comes_up_dies_and_comes_back_and_exits_0_with_predictions_from_both_sides()
    {
        using var stream = LoopbackStream.Http(96, 64, 25);
        var json = Path.Combine(_work.FullName, "predictions.jsonl");
        // --size and --fps: the run starts at once and the source connects in the background.
        using var engine = new EngineProcess("live", "--headless", "--source", stream.Url, "--size", "96x64", "--fps", "25",
            "--plugin-path", PluginCatalogTests.TestPlugins, "--plugin", "colour-head", "--json", json);
        engine.WaitForOutput("not reachable", _hangGuard);

        stream.Start("blue");
        WaitForPrediction(json, "blue", engine);
        stream.Kill();
        engine.WaitForOutput("source died", _hangGuard);
        // Nothing published while the stream is down: every prediction so far is of a frame from before the drop.
        var beforeReturn = Predictions(json);

        stream.Start("red");
        WaitForPrediction(json, "red", engine);
        engine.Interrupt();
        var code = engine.WaitForExit(_hangGuard);

        Assert.True(code == 0, $"exit code {code}:\n{engine.Output}");
        var all = Predictions(json);
        Assert.Contains(all, p => p.Label == "blue");
        // Red frames exist only after the return, and are numbered after every frame before the drop.
        var red = all.Where(p => p.Label == "red").ToArray();
        Assert.NotEmpty(red);
        Assert.All(red, p => Assert.True(p.Frame > beforeReturn.Max(b => b.Frame), $"red frame {p.Frame} is not after the drop"));
        Assert.Contains(" 1 reconnects)", engine.Output, StringComparison.Ordinal);
    }

    public void Dispose() => _work.Delete(recursive: true);
}
