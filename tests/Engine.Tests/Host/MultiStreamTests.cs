using System.Text.Json;
using Engine.Host;
using Engine.Tests.Gpu;
using Engine.Video;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engine.Tests.Host;

/// <summary>Several streams in one <see cref="LiveHost"/>: shared outputs, a dead stream, live parameter changes, the latest view.</summary>
public sealed class MultiStreamTests(GpuFixture fixture) : GpuTest(fixture), IDisposable
{
    /// <summary>Only a hang reaches it: every test stops on an event (prediction counts).</summary>
    private static readonly TimeSpan _safety = TimeSpan.FromMinutes(5);

    private readonly DirectoryInfo _out = Directory.CreateTempSubdirectory("engine-streams-");
    private readonly List<LoadedPlugin> _loaded = [];

    /// <summary>A source that never publishes a frame (a camera that hangs).</summary>
    private sealed class SilentSource : IFrameSource
    {
        public string Name => "silent";

        public int Width => 64;

        public int Height => 48;

        public double Fps => 30;

        public FrameRing Frames { get; } = new(64, 48);

        public SourceState State { get; init; } = SourceState.Connecting;

        public int Reconnects => 0;

        public string? LastFailure => null;

        public void Start()
        {
        }

        public void Dispose()
        {
        }
    }

    /// <summary>Counts every stream's predictions and stops the host once <paramref name="done"/> holds.</summary>
    private sealed class Until(CancellationTokenSource cancel, Func<IReadOnlyDictionary<string, int>, bool> done, Action? seen = null) : IPresenter
    {
        private readonly Dictionary<string, int> _counts = [];

        public IReadOnlyDictionary<string, int> Counts => _counts;

        public void Present(OverlayImage image, long frame)
        {
        }

        public void Prediction(PredictionRecord record)
        {
            _counts[record.Stream] = _counts.GetValueOrDefault(record.Stream) + 1;
            seen?.Invoke();
            if (done(_counts))
                cancel.Cancel();
        }

        public void Dispose()
        {
        }
    }

    private StreamSetup Stream(string id, IFrameSource source, params string[] plugins)
    {
        var catalog = new PluginCatalog([PluginCatalogTests.TestPlugins, PluginCatalogTests.Plugins], NullLogger.Instance);
        var setups = plugins.Select(p =>
        {
            var loaded = catalog.Load(p);
            _loaded.Add(loaded);
            return new PluginSetup(loaded, null, []);
        });
        return new StreamSetup(id, source, [.. setups], []);
    }

    private static SyntheticSource Synthetic(int seed) => new(new SourceOptions { Width = 64, Height = 48, AsFastAsPossible = true, Seed = seed });

    [Fact]
    public void Two_synthetic_streams_in_one_host_write_json_lines_of_both_each_with_its_own_predictions()
    {
        var json = Path.Combine(_out.FullName, "both.jsonl");
        using var cancel = new CancellationTokenSource(_safety);
        LiveHost? watched = null;
        // The view is asked for at every prediction (as a polling dashboard does), so the frame presented
        // in the same pass is downloaded however slowly the machine runs.
        var until = new Until(cancel, c => c.Count == 2 && c.Values.All(n => n >= 3), () => watched!.LatestView("synthetic:1"));
        var lines = new JsonLinesPresenter(json);
        using var host = watched = new LiveHost(Device, Device, [Stream("synthetic:1", Synthetic(1), "colour-head"), Stream("synthetic:2", Synthetic(2), "colour-head")],
            [lines, until], new LiveOptions(), NullLoggerFactory.Instance);
        // The same plugin with the same parameters on both streams: one graph, batched.
        Assert.Equal(2, Assert.Single(host.SharedBatches).Size);
        Assert.Null(host.LatestView("synthetic:1"));

        var summaries = host.Run(cancel.Token);
        lines.Dispose();

        Assert.All(until.Counts.Values, n => Assert.True(n >= 3, $"{n} predictions"));
        var byStream = File.ReadAllLines(json).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("stream").GetString()!).GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(["synthetic:1", "synthetic:2"], byStream.Keys.Order());
        foreach (var summary in summaries)
        {
            Assert.Empty(summary.DisabledPlugins);
            Assert.Equal(summary.InferenceRuns, byStream[summary.Stream]);
        }
        var status = host.Streams();
        Assert.Equal(["synthetic:1", "synthetic:2"], status.Select(s => s.Id));
        Assert.All(status, s => Assert.Equal(SourceState.Live, s.State));
        Assert.All(status, s => Assert.NotNull(s.LastPrediction));
        // Asked for during the run, stream 1 downloaded its frames; stream 2, never asked, did not.
        var view = host.LatestView("synthetic:1");
        Assert.NotNull(view);
        Assert.Equal(64 * 48 * 4, view.Rgba.Length);
        Assert.Null(host.LatestView("synthetic:2"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_stream_that_never_delivers_a_frame_does_not_stop_the_other_streams_predictions(bool batching)
    {
        using var cancel = new CancellationTokenSource(_safety);
        var until = new Until(cancel, c => c.GetValueOrDefault("synthetic:1") >= 5);
        using var host = new LiveHost(Device, Device, [Stream("dead", new SilentSource(), "colour-head"), Stream("synthetic:1", Synthetic(1), "colour-head")],
            [until], new LiveOptions(), NullLoggerFactory.Instance, batching);
        Assert.Equal(batching ? 1 : 0, host.SharedBatches.Count());

        var summaries = host.Run(cancel.Token);

        Assert.True(until.Counts.GetValueOrDefault("synthetic:1") >= 5, $"{until.Counts.GetValueOrDefault("synthetic:1")} predictions of the live stream");
        Assert.False(until.Counts.ContainsKey("dead"));
        Assert.Equal(0, summaries[0].Presented);
        Assert.Equal(SourceState.Connecting, host.Streams()[0].State);
    }

    [Fact]
    public async Task A_batched_build_that_never_returns_disables_the_plugin_of_every_stream_instead_of_hanging_the_host()
    {
        var catalog = new PluginCatalog([PluginCatalogTests.TestPlugins], NullLogger.Instance);
        StreamSetup Hanging(string id)
        {
            var loaded = catalog.Load("hang-head");
            _loaded.Add(loaded);
            return new StreamSetup(id, Synthetic(id.Length), [new PluginSetup(loaded, null, ["hang_in=build"])], []);
        }
        var options = new LiveOptions { PluginBuildTimeout = TimeSpan.FromSeconds(2) };

        // The safety wait (a TimeoutException) only fires when the batched build hangs the host's construction.
        using var host = await Task.Run(() => new LiveHost(Device, Device, [Hanging("a"), Hanging("bb")], [], options, NullLoggerFactory.Instance)).WaitAsync(_safety);

        Assert.Empty(host.SharedBatches);
        Assert.All(host.LiveStreams, s => Assert.Equal(
            new[] { ("hang-head", false, (string?)"build: did not return within 2 s") },
            s.Plugins.Select(p => (p.Id, p.Enabled, p.Error))));
    }

    [Theory]
    [InlineData(SourceState.Connecting)]
    [InlineData(SourceState.Reconnecting)]
    public void A_silent_source_that_is_still_trying_is_waited_for_past_the_source_timeout(SourceState state)
    {
        using var cancel = new CancellationTokenSource();
        using var host = new LiveHost(Device, Device, [Stream("waiting", new SilentSource { State = state }, "colour-head")], [],
            new LiveOptions { SourceTimeout = TimeSpan.FromMilliseconds(100) }, NullLoggerFactory.Instance);

        // Ten times the timeout from the start of the run (not of building the host), then a stop as Ctrl-C
        // gives: the host must still be waiting, not failed.
        cancel.CancelAfter(TimeSpan.FromSeconds(1));
        var summary = Assert.Single(host.Run(cancel.Token));

        Assert.Equal(0, summary.Presented);
        Assert.Equal(state, host.Streams()[0].State);
    }

    [Fact]
    public void A_source_that_says_it_is_live_but_delivers_nothing_ends_the_run_after_the_source_timeout()
    {
        using var cancel = new CancellationTokenSource(_safety);
        using var host = new LiveHost(Device, Device, [Stream("hung", new SilentSource { State = SourceState.Live }, "colour-head")], [],
            new LiveOptions { SourceTimeout = TimeSpan.FromMilliseconds(100) }, NullLoggerFactory.Instance);

        var e = Assert.Throws<EngineException>(() => host.Run(cancel.Token));

        Assert.Equal("hung: no frame for 0.1 s.", e.Message);
    }

    [Fact]
    public void A_parameter_change_is_validated_and_configures_the_streams_plugin_again_at_a_frame_boundary()
    {
        using var cancel = new CancellationTokenSource(_safety);
        var until = new Until(cancel, c => c.Values.Sum() >= 3);
        using var host = new LiveHost(Device, Device, [Stream("synthetic:1", Synthetic(1), "colour-head")], [until], new LiveOptions(), NullLoggerFactory.Instance);

        Assert.Equal("parameter 'frames': 99 is outside [1, 16]", host.SetParameter("synthetic:1", "colour-head", "frames", "99"));
        Assert.StartsWith("no stream 'other'", host.SetParameter("other", "colour-head", "frames", "3"));
        Assert.StartsWith("stream 'synthetic:1' has no plugin 'nonlocal-action'", host.SetParameter("synthetic:1", "nonlocal-action", "frames", "3"));
        Assert.StartsWith("plugin 'colour-head' has no parameter 'size'", host.SetParameter("synthetic:1", "colour-head", "size", "3"));
        Assert.Null(host.SetParameter("synthetic:1", "colour-head", "frames", "3"));
        host.Run(cancel.Token);

        var plugin = Assert.Single(host.LiveStreams[0].Plugins);
        Assert.Equal(3, Assert.Single(plugin.Networks).Clips.Length);
        Assert.Equal("3", Assert.Single(host.Streams()[0].Plugins).Values["frames"]);
        Assert.True(until.Counts["synthetic:1"] >= 3);
    }

    [Fact]
    public void A_rolling_window_keeps_only_its_newest_values()
    {
        var window = new RollingWindow(3);
        for (var i = 1; i <= 10; i++)
            window.Add(i);
        Assert.Equal(3, window.Count);
        Assert.Equal((9.0, 10.0), window.Percentiles);
    }

    public new void Dispose()
    {
        base.Dispose();
        foreach (var plugin in _loaded)
            plugin.Dispose();
        _out.Delete(recursive: true);
    }
}
