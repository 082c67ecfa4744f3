using System.Diagnostics;
using System.Text.Json;
using Engine.Gpu;
using Engine.Graph.Nodes;
using Engine.Host;
using Engine.Tests.Gpu;
using Engine.Video;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engine.Tests.Host;

public sealed class LiveHostTests(GpuFixture fixture) : GpuTest(fixture), IDisposable
{
    private readonly DirectoryInfo _out = Directory.CreateTempSubdirectory("engine-live-");

    /// <summary>Calls an action on a given presented frame (to act mid-run) and keeps the last image.</summary>
    private sealed class Probe(int atFrame, Action? action, int clickAt = int.MaxValue) : IPresenter
    {
        private int _count;

        public (double X, double Y)? LastClick => _count >= clickAt ? (0.25, 0.75) : null;

        public byte[]? Last { get; private set; }

        public List<long> Frames { get; } = [];

        public void Present(OverlayImage image, long frame)
        {
            if (++_count == atFrame)
                action?.Invoke();
            Frames.Add(frame);
            Last = image.Download().ToArray();
        }

        public void Dispose()
        {
        }
    }

    /// <summary>Consumes the GPU image as the window does, with a copy on the display device and no download.</summary>
    private sealed class GpuCopy(Device device, int width, int height) : IPresenter
    {
        private readonly Tensor _copy = device.CreateTensor("presented copy", new Shape(width * height), DataType.UInt32);

        public int Frames { get; private set; }

        public void Present(OverlayImage image, long frame)
        {
            using var list = device.CreateCommandList("presented copy");
            list.Copy(image.Pixels, _copy);
            list.Finish();
            device.Submit(list);
            Frames++;
        }

        public void Dispose() => _copy.Dispose();
    }

    /// <summary>Runs a session on the fixture's device (and <paramref name="inference"/> if given); returns its summary and its networks' clip shapes.</summary>
    private (LiveSummary Summary, Shape[] ClipShapes) Run(IFrameSource source, string[] plugins, LiveOptions options, IPresenter[] presenters, Device? inference = null)
    {
        var catalog = new PluginCatalog([PluginCatalogTests.TestPlugins, PluginCatalogTests.Plugins], NullLogger.Instance);
        var loaded = plugins.Select(catalog.Load).ToArray();
        var session = TestHosts.Single(Device, inference ?? Device, source, loaded, presenters, options);
        try
        {
            var summary = session.Run().Single();
            return (summary, [.. session.LiveStreams[0].Plugins.SelectMany(p => p.Networks).Select(n => n.Clips.ClipShape)]);
        }
        finally
        {
            session.Dispose();
            foreach (var p in presenters)
                p.Dispose();
            foreach (var p in loaded)
                p.Dispose();
        }
    }

    private static JsonElement[] Lines(string path) =>
        [.. File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    [ToolFact("ffmpeg", "ffprobe")]
    public void A_file_source_runs_end_to_end_headless_with_json_lines_and_a_recording()
    {
        var file = TestMedia.SolidColour("red", 96, 64, 1.5);
        var json = Path.Combine(_out.FullName, "out.jsonl");
        var video = Path.Combine(_out.FullName, "out.mp4");
        using var source = SourceFactory.Open($"file:{file}", new SourceOptions { AsFastAsPossible = true }, NullLoggerFactory.Instance);
        var (summary, _) = Run(source, ["colour-head", "nonlocal-action"], new LiveOptions { Frames = 40, Model = NonLocalActionTests.TinyPackage },
            [new JsonLinesPresenter(json), new RecordingPresenter(video, source.Width, source.Height, source.Fps, NullLogger.Instance)]);

        Assert.Empty(summary.DisabledPlugins);
        Assert.Equal(40, summary.Presented);
        Assert.Equal((40, 96, 64), TestMedia.Probe(video));
        var all = Lines(json);
        Assert.Equal(summary.InferenceRuns, all.Length);
        AssertNonLocalActionLines(all);
        var lines = all.Where(l => l.GetProperty("plugin").GetString() == "colour-head").ToArray();
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            Assert.Equal(["stream", "frame", "time", "plugin", "latency_ms", "topk", "boxes"], line.EnumerateObject().Select(p => p.Name));
            Assert.Equal($"file:{file}", line.GetProperty("stream").GetString());
            Assert.Equal("colour-head", line.GetProperty("plugin").GetString());
            Assert.True(line.GetProperty("latency_ms").GetDouble() > 0);
            var top = line.GetProperty("topk")[0];
            Assert.Equal("red", top.GetProperty("label").GetString());
            Assert.True(top.GetProperty("score").GetDouble() > 0.9);
            var box = line.GetProperty("boxes")[0];
            // The centre crop of a 96x64 frame resized to 48x32 then cropped 32x32: x 8..40 of 48, in frame pixels 16..80.
            Assert.Equal([16.0, 0.0, 80.0, 64.0], new[] { "x1", "y1", "x2", "y2" }.Select(k => box.GetProperty(k).GetDouble()));
        }
        var frames = lines.Select(l => l.GetProperty("frame").GetInt64()).ToArray();
        Assert.Equal(frames.Order(), frames);
    }

    /// <summary>nonlocal-action's lines: five labels of the package, scores descending, a distribution.</summary>
    private static void AssertNonLocalActionLines(JsonElement[] lines)
    {
        var mine = lines.Where(l => l.GetProperty("plugin").GetString() == "nonlocal-action").ToArray();
        Assert.NotEmpty(mine);
        foreach (var line in mine)
        {
            var topk = line.GetProperty("topk").EnumerateArray().ToArray();
            Assert.Equal(5, topk.Length);
            Assert.All(topk, t => Assert.Contains(t.GetProperty("label").GetString(), SceneActions.Labels));
            var scores = topk.Select(t => t.GetProperty("score").GetDouble()).ToArray();
            Assert.Equal(scores.OrderDescending(), scores);
            Assert.InRange(scores.Sum(), 0.1, 1.0 + 1e-5);
            Assert.Empty(line.GetProperty("boxes").EnumerateArray());
        }
    }

    [ToolFact("ffmpeg", "ffprobe")]
    public void The_synthetic_source_runs_end_to_end_headless_with_a_recording_of_the_right_size()
    {
        var json = Path.Combine(_out.FullName, "synthetic.jsonl");
        var video = Path.Combine(_out.FullName, "synthetic.mp4");
        using var source = new SyntheticSource(new SourceOptions { Width = 160, Height = 120, AsFastAsPossible = true, Seed = 4 });
        var probe = new Probe(0, null);
        var (summary, _) = Run(source, ["colour-head", "nonlocal-action"], new LiveOptions { Frames = 30, Parameters = ["frames=4"], Model = NonLocalActionTests.TinyPackage },
            [new JsonLinesPresenter(json), new RecordingPresenter(video, 160, 120, 30, NullLogger.Instance), probe]);
        Assert.Empty(summary.DisabledPlugins);
        Assert.Equal(30, summary.Presented);
        Assert.Equal(0, summary.Dropped);
        Assert.Equal((30, 160, 120), TestMedia.Probe(video));
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), probe.Frames);
        var all = Lines(json);
        AssertNonLocalActionLines(all);
        var lines = all.Where(l => l.GetProperty("plugin").GetString() == "colour-head").ToArray();
        Assert.NotEmpty(lines);
        // The scene is mostly dark blue-green background: the head sees no dominant red.
        Assert.All(lines, l => Assert.NotEqual("red", l.GetProperty("topk")[0].GetProperty("label").GetString()));
        // The first prediction needs 4 sampled frames.
        Assert.True(lines[0].GetProperty("frame").GetInt64() >= 3);
    }

    [ToolFact("ffmpeg", "ffprobe")]
    public void Killing_the_ffmpeg_child_mid_stream_reconnects_and_the_run_continues()
    {
        var file = TestMedia.SolidColour("green", 64, 48, 2);
        var options = new SourceOptions { Loop = true, ReconnectBackoff = [TimeSpan.FromMilliseconds(100)] };
        using var source = (FfmpegSource)SourceFactory.Open($"file:{file}", options, NullLoggerFactory.Instance);
        int? killed = null;
        var probe = new Probe(10, () =>
        {
            killed = source.ProcessId;
            Process.GetProcessById(killed!.Value).Kill();
        });
        var (summary, _) = Run(source, ["colour-head"], new LiveOptions { Frames = 40 }, [probe]);
        Assert.NotNull(killed);
        Assert.True(summary.Reconnects >= 1, $"{summary.Reconnects} reconnects");
        Assert.Equal(40, summary.Presented);
        Assert.Contains("ffmpeg exited with code", source.LastFailure);
        Assert.NotEqual(killed, source.ProcessId);
    }

    [Fact]
    public void With_presenters_that_stay_on_the_gpu_the_frame_path_uploads_only_the_frame_and_the_overlay_layer()
    {
        const int W = 96, H = 64, Frames = 20;
        using var source = new SyntheticSource(new SourceOptions { Width = W, Height = H, AsFastAsPossible = true });
        var copy = new GpuCopy(Device, W, H);
        var (summary, _) = Run(source, ["colour-head"], new LiveOptions { Frames = Frames }, [copy]);
        Assert.Equal(Frames, summary.Presented);
        Assert.Equal(Frames, copy.Frames);
        Assert.True(summary.InferenceRuns >= 1, $"{summary.InferenceRuns} runs");
        // The frame (RGB24) once per frame, the overlay's primitive list beside it, nothing read back.
        Assert.Equal((long)Frames * W * H * 3, summary.FrameTraffic.Uploaded - summary.OverlayBytes);
        Assert.Equal(0, summary.FrameTraffic.Downloaded);
        Assert.InRange(summary.OverlayBytesPerFrame, 1, W * H * 4 / 4.0);
        // Results are read back per run; the clip stays on the device (one device here: no bridge).
        Assert.True(summary.RunTraffic.Downloaded > 0);
        Assert.Equal(0, summary.RunTraffic.Uploaded);
        Assert.Contains($"host->device {(double)summary.FrameTraffic.Uploaded / Frames:0} B/frame", summary.ToString(), StringComparison.Ordinal);
    }

    [ToolFact("ffmpeg", "ffprobe")]
    public void With_inference_on_another_device_each_run_takes_its_clip_through_the_host_and_predicts_the_same()
    {
        const int W = 96, H = 64, Frames = 20;
        var file = TestMedia.SolidColour("red", W, H, 1.5);
        var json = Path.Combine(_out.FullName, "bridge.jsonl");
        using var inference = Fixture.Instance.CreateDevice(new DeviceOptions { PipelineCacheDirectory = null });
        using var source = SourceFactory.Open($"file:{file}", new SourceOptions { AsFastAsPossible = true }, NullLoggerFactory.Instance);
        var (summary, clips) = Run(source, ["colour-head"], new LiveOptions { Frames = Frames }, [new JsonLinesPresenter(json)], inference);

        Assert.Empty(summary.DisabledPlugins);
        Assert.True(summary.InferenceRuns >= 1, $"{summary.InferenceRuns} runs");
        var lines = JsonLinesPresenter.TopLabels(json, "colour-head").ToArray();
        Assert.Equal(summary.InferenceRuns, lines.Length);
        Assert.All(lines, l => Assert.Equal("red", l.Label));
        // The frame path is unchanged; every launched run moved its clip down from the display device
        // and up to the inference device once (a run in flight at the end has moved its clip too).
        Assert.Equal((long)Frames * W * H * 3, summary.FrameTraffic.Uploaded - summary.OverlayBytes);
        Assert.Equal(0, summary.FrameTraffic.Downloaded);
        var clipBytes = Assert.Single(clips).ElementCount * sizeof(float);
        Assert.Equal(0, summary.RunTraffic.Uploaded % clipBytes);
        Assert.InRange(summary.RunTraffic.Uploaded / clipBytes, summary.InferenceRuns, summary.InferenceRuns + 1);
        Assert.True(summary.RunTraffic.Downloaded >= summary.RunTraffic.Uploaded, "each clip is read back from the display device before it is written to the inference device");
    }

    [ToolFact("ffmpeg", "ffprobe")]
    public void The_recorder_and_snapshots_add_one_image_download_per_frame()
    {
        const int W = 64, H = 48, Frames = 12;
        var video = Path.Combine(_out.FullName, "bytes.mp4");
        using var source = new SyntheticSource(new SourceOptions { Width = W, Height = H, AsFastAsPossible = true });
        var (summary, _) = Run(source, ["colour-head"], new LiveOptions { Frames = Frames },
            [new RecordingPresenter(video, W, H, 30, NullLogger.Instance), new SnapshotPresenter(Path.Combine(_out.FullName, "shots"), 3)]);
        Assert.Equal(Frames, summary.Presented);
        Assert.Equal((long)Frames * W * H * 3, summary.FrameTraffic.Uploaded - summary.OverlayBytes);
        // Snapshots of every third frame share the recorder's download of that frame.
        Assert.Equal((long)Frames * W * H * 4, summary.FrameTraffic.Downloaded);
        Assert.Equal(4, Directory.GetFiles(Path.Combine(_out.FullName, "shots")).Length);
        Assert.Equal((Frames, W, H), TestMedia.Probe(video));
    }

    [Fact]
    public void A_throwing_plugin_is_disabled_with_its_error_on_the_overlay_while_the_host_runs_on()
    {
        using var source = new SyntheticSource(new SourceOptions { Width = 128, Height = 96, AsFastAsPossible = true });
        var probe = new Probe(0, null);
        var (summary, _) = Run(source, ["colour-head", "throwing"], new LiveOptions { Frames = 25 }, [probe]);
        Assert.Equal(25, summary.Presented);
        var disabled = Assert.Single(summary.DisabledPlugins);
        Assert.StartsWith("throwing: interpret: InvalidOperationException: test plugin failure in interpret", disabled);
        Assert.True(summary.InferenceRuns >= 2, $"{summary.InferenceRuns} runs");
        AssertErrorInPluginPanels(probe.Last!, 128, 96);
    }

    /// <summary>A disabled plugin's error is drawn in the error colour in the bottom half (the plugin panels), and nowhere else.</summary>
    private static void AssertErrorInPluginPanels(byte[] image, int width, int height)
    {
        var error = OverlayComposer.ErrorColour;
        var hits = 0;
        for (var i = 0; i < width * height; i++)
        {
            if (image[i * 4 + 2] == (byte)(error >> 16) && image[i * 4 + 1] == (byte)(error >> 8) && image[i * 4] == (byte)error)
            {
                Assert.True(i / width > height / 2, $"error-coloured pixel at row {i / width}");
                hits++;
            }
        }
        Assert.True(hits > 20, $"{hits} error-coloured pixels");
    }

    [Fact]
    public async Task A_plugin_that_never_returns_from_interpret_is_abandoned_and_disabled_while_frames_keep_presenting()
    {
        using var source = new SyntheticSource(new SourceOptions { Width = 128, Height = 96, AsFastAsPossible = true });
        var catalog = new PluginCatalog([PluginCatalogTests.TestPlugins], NullLogger.Instance);
        using var colour = catalog.Load("colour-head");
        using var hang = catalog.Load("hang-head");
        PluginRunner? hanging = null;
        bool? enabledAtFrame30 = null;
        // Frames and runs share the one queue, so hang-head's first run (launched at frame 0) has been
        // interpreted, and has hung, long before frame 30 is presented.
        var probe = new Probe(30, () => enabledAtFrame30 = hanging!.Enabled);
        // The limit is the stall the hang costs; colour-head's calls take milliseconds, far below it on any load.
        var options = new LiveOptions { Frames = 40, PluginTimeout = TimeSpan.FromSeconds(5) };
        using var session = TestHosts.Single(Device, Device, source, [colour, hang], [probe], options);
        var plugins = session.LiveStreams[0].Plugins;
        hanging = plugins[1];
        // Only a hang of the host itself reaches the guard (TimeoutException).
        var summary = Assert.Single(await Task.Run(() => session.Run()).WaitAsync(TimeSpan.FromMinutes(5)));
        probe.Dispose();

        // The loop waited once for the limit, presented on without the plugin and ended at its bound.
        Assert.False(enabledAtFrame30);
        Assert.Equal(40, summary.Presented);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (long)i), probe.Frames);
        Assert.Equal("hang-head: interpret: did not return within 5 s", Assert.Single(summary.DisabledPlugins));
        Assert.True(plugins[0].Enabled);
        AssertErrorInPluginPanels(probe.Last!, 128, 96);
    }

    [Fact]
    public void A_plugin_failing_to_build_is_disabled_and_the_others_still_run()
    {
        using var source = new SyntheticSource(new SourceOptions { Width = 64, Height = 48, AsFastAsPossible = true });
        var (summary, _) = Run(source, ["throwing", "colour-head"], new LiveOptions { Frames = 12, Parameters = ["throw_in=build"] }, []);
        Assert.StartsWith("throwing: build: InvalidOperationException: test plugin failure in build", Assert.Single(summary.DisabledPlugins));
        Assert.True(summary.InferenceRuns >= 1);
    }

    [Fact]
    public void A_plugin_that_never_returns_from_configure_is_disabled_and_the_others_still_run()
    {
        using var source = new SyntheticSource(new SourceOptions { Width = 64, Height = 48, AsFastAsPossible = true });
        // colour-head's build is held to the same limit and takes seconds on a loaded machine
        // (docs/bench-log.md, 2026-12-07, "Plugin build times"), so 15 s.
        var options = new LiveOptions { Frames = 12, Parameters = ["hang_in=configure"], PluginBuildTimeout = TimeSpan.FromSeconds(15) };
        var (summary, _) = Run(source, ["hang-head", "colour-head"], options, []);
        Assert.Equal("hang-head: configure: did not return within 15 s", Assert.Single(summary.DisabledPlugins));
        Assert.Equal(12, summary.Presented);
        Assert.True(summary.InferenceRuns >= 1);
    }

    [Fact]
    public void A_click_moves_the_attention_query_by_a_write_to_the_same_compiled_network()
    {
        var json = Path.Combine(_out.FullName, "click.jsonl");
        using var source = new SyntheticSource(new SourceOptions { Width = 64, Height = 48, AsFastAsPossible = true });
        using var loaded = new PluginCatalog([PluginCatalogTests.Plugins], NullLogger.Instance).Load("nonlocal-action");
        var presenters = new IPresenter[] { new JsonLinesPresenter(json), new Probe(0, null, clickAt: 12) };
        // Runs are launched one at a time at increasing frames of an unpaced, lossless source, so the 14th
        // prediction is of a frame past the click at frame 12 however long each run takes.
        var options = new LiveOptions { Predictions = 14, Model = NonLocalActionTests.TinyPackage, Parameters = ["attention_block=0", "sampling_rate=1"] };
        using var session = TestHosts.Single(Device, Device, source, [loaded], presenters, options);
        var runner = Assert.Single(session.LiveStreams[0].Plugins);
        var network = Assert.Single(runner.Networks);
        var summary = session.Run().Single();
        foreach (var p in presenters)
            p.Dispose();
        Assert.Empty(summary.DisabledPlugins);
        // Nothing was rebuilt or recorded again: the runner, its network and its compiled graph are the ones
        // from before the click, and the query input holds the click (written at the next launch).
        Assert.Same(runner, Assert.Single(session.LiveStreams[0].Plugins));
        Assert.Same(network, Assert.Single(runner.Networks));
        Assert.Equal(0, network.Graph.Rerecords);
        var frames = Lines(json).Select(l => l.GetProperty("frame").GetInt64()).ToArray();
        Assert.Contains(frames, f => f <= 11);
        Assert.Contains(frames, f => f > 12);
        Assert.Equal(NonLocalNode.MiddleFrameQuery(0.25, 0.75), network.Graph.Read(network.AttentionQuery!));
    }

    public new void Dispose()
    {
        base.Dispose();
        _out.Delete(recursive: true);
    }
}
