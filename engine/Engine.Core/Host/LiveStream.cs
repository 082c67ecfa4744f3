using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Engine.Gpu;
using Engine.Video;
using Microsoft.Extensions.Logging;

namespace Engine.Host;

/// <summary>
/// One stream of a <see cref="LiveHost"/>: a source and everything that is its own: GPU frames, clip
/// buffers (its plugins' networks), overlay, HUD, presenters and measurements. Per frame
/// (<see cref="Step"/>): take the newest frame if one is waiting (never wait for one: the host serves
/// other streams meanwhile), write it to the GPU (the frame path's one whole-frame crossing), collect
/// finished runs, preprocess the frame into the clip buffers that sample it and draw the overlay in one
/// submission, then launch the runs of networks that run alone and whose cadence fired, and hand the
/// GPU image to the presenters. The stream never waits for a frame's submission:
/// <see cref="FramesInFlight"/> frames and overlay layers rotate, and writing one waits only if the GPU
/// still reads it; only presenters that download (the recorder, snapshots, a watched view) wait for the
/// frame's drawing. Measurements that accumulate per frame or per prediction are bounded (a rolling
/// window of latencies, rates over the last second). Host↔device bytes are counted apart: those of the
/// frame path per frame, those of runs (clip bridge, result readback, rebuilds) per run.
/// </summary>
public sealed class LiveStream : IDisposable
{
    /// <summary>
    /// Frames whose GPU work may be queued at once. Three: one being written by the host, one the GPU
    /// draws, one a presenter still copies or reads.
    /// </summary>
    public const int FramesInFlight = 3;

    /// <summary>How long a <see cref="LatestView"/> request keeps the stream downloading its frames.</summary>
    private static readonly TimeSpan _viewInterest = TimeSpan.FromSeconds(2);

    private readonly Device _display;
    private readonly Device _inference;
    private readonly LiveOptions _options;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<IPresenter> _presenters;
    private readonly List<PluginRunner> _plugins;
    private readonly GpuFrame[] _frames;
    private readonly OverlayLayer[] _layers;
    private readonly OverlayRenderer _overlay;
    private readonly OverlayCanvas _canvas;
    private readonly RollingWindow _latencies = new();
    private readonly RollingWindow _overheads = new();
    // Times within the last second, for the HUD's and the status's rates.
    private readonly Queue<long> _presentTimes = new();
    private readonly Queue<long> _predictionTimes = new();
    private readonly ConcurrentQueue<(string Plugin, string Name, string Value)> _parameterChanges = new();
    private (double X, double Y)? _lastClick;
    private HostTraffic _runTraffic;
    private HostTraffic _frameTraffic;
    private long _overlayBytes;
    private long _lastFrameTicks;
    private long _viewWantedUntil;
    private volatile StreamView? _view;
    private volatile StreamStatus _status;

    public LiveStream(StreamSetup setup, Device display, Device inference, LiveOptions options, ILoggerFactory logging)
    {
        Id = setup.Id;
        Source = setup.Source;
        _display = display;
        _inference = inference;
        _options = options;
        _presenters = setup.Presenters;
        _logger = logging.CreateLogger<LiveStream>();
        var (width, height) = (Source.Width, Source.Height);
        _frames = new GpuFrame[FramesInFlight];
        _layers = new OverlayLayer[FramesInFlight];
        _plugins = [];
        try
        {
            for (var i = 0; i < FramesInFlight; i++)
                _frames[i] = new GpuFrame(display, width, height);
            for (var i = 0; i < FramesInFlight; i++)
                _layers[i] = new OverlayLayer(display, width, height, $"{Id} overlay {i}");
            _overlay = new OverlayRenderer(display, width, height);
            _canvas = new OverlayCanvas(width, height);
            foreach (var plugin in setup.Plugins)
                _plugins.Add(new PluginRunner(plugin, display, inference, width, height, options, _logger));
            _status = Status();
        }
        catch
        {
            // What was made so far is freed here, in reverse order; the source is the host's to dispose.
            foreach (var plugin in _plugins)
                plugin.Dispose();
            _overlay?.Dispose();
            foreach (var layer in _layers)
                layer?.Dispose();
            foreach (var frame in _frames)
                frame?.Dispose();
            throw;
        }
    }

    public string Id { get; }

    public IFrameSource Source { get; }

    public IReadOnlyList<PluginRunner> Plugins => _plugins;

    public long Presented { get; private set; }

    public long Predictions { get; private set; }

    /// <summary>The source has ended (its last frame was taken).</summary>
    public bool Ended { get; private set; }

    /// <summary>When the last frame was taken (Stopwatch ticks; the start before the first).</summary>
    public long LastFrameTicks => _lastFrameTicks;

    /// <summary>The newest status snapshot (taken by the host's loop; safe to read from any thread).</summary>
    public StreamStatus CurrentStatus => _status;

    /// <summary>Starts the source; <paramref name="start"/> is the host's start (Stopwatch ticks).</summary>
    internal void Start(long start)
    {
        _lastFrameTicks = start;
        Source.Start();
    }

    /// <summary>Host↔device bytes so far on the display and (if another) the inference device.</summary>
    private HostTraffic Traffic() => _display == _inference ? _display.Traffic : _display.Traffic + _inference.Traffic;

    /// <summary>Runs inference work (polling, launching, rebuilding), counting its host↔device bytes apart from the frame path's.</summary>
    internal void CountRunTraffic(Action work)
    {
        var before = Traffic();
        work();
        _runTraffic += Traffic() - before;
    }

    /// <summary>
    /// Presents the newest frame if one is waiting: returns false at once when none is (or the source
    /// has ended). Each finished prediction goes to this stream's presenters and to <paramref name="shared"/>.
    /// </summary>
    internal bool Step(long start, Action<PredictionRecord> shared)
    {
        var frame = Source.Frames.Take(TimeSpan.Zero);
        if (frame is null)
        {
            if (!Ended && Source.Frames.IsCompleted)
            {
                Ended = true;
                _logger.LogInformation("{Stream}: no more frames", Id);
            }
            return false;
        }
        var before = Traffic();
        var runBefore = _runTraffic;
        _lastFrameTicks = Stopwatch.GetTimestamp();
        var number = frame.Number;
        var slot = (int)(Presented % FramesInFlight);
        try
        {
            CountRunTraffic(ApplyParameterChanges);
            using var list = _display.CreateCommandList($"{Id} frame");
            _frames[slot].Write(frame, list);
            CountRunTraffic(() =>
            {
                foreach (var plugin in _plugins)
                    plugin.Poll();
            });

            _canvas.Clear();
            OverlayComposer.Compose(_canvas, _plugins, Hud(start));
            _overlayBytes += _layers[slot].Write(_canvas);
            foreach (var network in _plugins.Where(p => p.Enabled).SelectMany(p => p.Networks))
            {
                if (network.Clips.WantsFrame(frame))
                    network.Clips.RecordSample(list, _frames[slot], frame);
            }
            _overlay.Record(list, _frames[slot], _layers[slot]);
            list.Finish();
            _display.Submit(list);
        }
        finally
        {
            Source.Frames.Release(frame);
        }

        var drawn = Stopwatch.GetTimestamp();
        var time = Stopwatch.GetElapsedTime(start, drawn).TotalSeconds;
        foreach (var plugin in _plugins)
        {
            // A plugin disabled since its result was read (another network's interpret failed) presents nothing more.
            foreach (var network in plugin.Networks.Where(n => plugin.Enabled && n.LatestUndrawn))
            {
                network.LatestUndrawn = false;
                var latest = network.Latest!.Value;
                var latency = Stopwatch.GetElapsedTime(latest.CaptureTicks, drawn).TotalMilliseconds;
                _latencies.Add(latency);
                _overheads.Add(latency - network.LastInferenceSeconds * 1000);
                var record = new PredictionRecord(Id, latest.Frame, time, plugin.Id, latency, latest.Metadata.TopK,
                    [.. latest.Metadata.Boxes.Select(b => (b.Region.X0 * Source.Width, b.Region.Y0 * Source.Height, b.Region.X1 * Source.Width, b.Region.Y1 * Source.Height, b.Label, b.Score))]);
                foreach (var presenter in _presenters)
                    presenter.Prediction(record);
                shared(record);
                LastPrediction = record;
                _predictionTimes.Enqueue(drawn);
                Predictions++;
            }
            CountRunTraffic(() => plugin.Launch(number));
        }

        var image = new OverlayImage(_overlay.Image, Source.Width, Source.Height);
        foreach (var presenter in _presenters)
            presenter.Present(image, number);
        if (Stopwatch.GetTimestamp() < Interlocked.Read(ref _viewWantedUntil))
            _view = new StreamView(number, Source.Width, Source.Height, image.Download().ToArray());
        Presented++;
        _presentTimes.Enqueue(Stopwatch.GetTimestamp());
        if (_presenters.Select(p => p.LastClick).FirstOrDefault(c => c is not null) is { } click && click != _lastClick)
        {
            _lastClick = click;
            CountRunTraffic(() => Requery(click));
        }
        _frameTraffic += Traffic() - before - (_runTraffic - runBefore);
        _status = Status();
        return true;
    }

    /// <summary>The newest prediction this stream presented.</summary>
    public PredictionRecord? LastPrediction { get; private set; }

    /// <summary>True once a presenter of this stream was asked to quit (its window closed).</summary>
    public bool QuitRequested => _presenters.Any(p => p.QuitRequested);

    /// <summary>
    /// A click moves the attention query of every network that shows one: the position is written to the
    /// network's query input before its next run (no rebuild, no new weights).
    /// </summary>
    private void Requery((double X, double Y) click)
    {
        foreach (var plugin in _plugins.Where(p => p.MoveQuery(click.X, click.Y)))
            _logger.LogInformation("{Stream}: {Plugin}: attention query moved to ({X:0.00}, {Y:0.00})", Id, plugin.Id, click.X, click.Y);
    }

    /// <summary>The latest overlaid frame, and from now on for a while a download of every presented frame (a stream nobody watches downloads none).</summary>
    internal StreamView? LatestView()
    {
        Interlocked.Exchange(ref _viewWantedUntil, Stopwatch.GetTimestamp() + (long)(_viewInterest.TotalSeconds * Stopwatch.Frequency));
        return _view;
    }

    /// <summary>
    /// Validates a parameter value against the plugin's spec and queues it for the next frame boundary,
    /// where the plugin is configured again with it; returns the reason when it is refused.
    /// </summary>
    internal string? SetParameter(string plugin, string name, string value)
    {
        var status = _status.Plugins.FirstOrDefault(p => p.Id == plugin);
        if (status is null)
            return $"stream '{Id}' has no plugin '{plugin}' (it has {string.Join(", ", _status.Plugins.Select(p => p.Id).DefaultIfEmpty("none"))})";
        var spec = status.Parameters.FirstOrDefault(s => s.Name == name);
        if (spec is null)
            return $"plugin '{plugin}' has no parameter '{name}' (it has {string.Join(", ", status.Parameters.Select(s => s.Name).DefaultIfEmpty("none"))})";
        if (spec.Validate(value) is { } error)
            return error;
        _parameterChanges.Enqueue((plugin, name, value));
        return null;
    }

    /// <summary>
    /// Configures a plugin again with its changed parameters (at a frame boundary, on the host's loop):
    /// its networks leave their batches and run alone from now on, built anew.
    /// </summary>
    private void ApplyParameterChanges()
    {
        while (_parameterChanges.TryDequeue(out var change))
        {
            var index = _plugins.FindIndex(p => p.Id == change.Plugin);
            var old = _plugins[index];
            var setup = old.Setup.With(change.Name, change.Value);
            old.Dispose();
            var runner = new PluginRunner(setup, _display, _inference, Source.Width, Source.Height, _options, _logger);
            _plugins[index] = runner;
            foreach (var network in runner.Networks)
                NetworkBatch.Alone(network, _inference, _options.Compile);
            _logger.LogInformation("{Stream}: {Plugin}: {Name} = {Value}", Id, change.Plugin, change.Name, change.Value);
        }
    }

    private string Hud(long start)
    {
        var fps = Rate(_presentTimes);
        var runs = _plugins.SelectMany(p => p.Networks).Sum(n => n.Runs);
        var seconds = Math.Max(1e-3, Stopwatch.GetElapsedTime(start).TotalSeconds);
        var (p50, p95) = _latencies.Percentiles;
        return string.Create(CultureInfo.InvariantCulture,
            $"{Id}  {State()}{(Source.Reconnects > 0 ? $"  reconnects {Source.Reconnects}" : "")}\n{fps} fps  frame {Presented}  dropped {Source.Frames.Dropped}\ninference {runs / seconds:0.00}/s  latency p50 {p50:0} p95 {p95:0} ms");
    }

    /// <summary>Events of the last second in <paramref name="times"/>, older ones dropped (so the queue holds at most a second's worth).</summary>
    private static int Rate(Queue<long> times)
    {
        var now = Stopwatch.GetTimestamp();
        while (times.Count > 0 && now - times.Peek() > Stopwatch.Frequency)
            times.Dequeue();
        return times.Count;
    }

    /// <summary>The source's state as the source keeps it (connecting, live, reconnecting, ended).</summary>
    private SourceState State() => Source.State;

    /// <summary>Takes a new status snapshot (the host's loop calls it in every pass where the stream had no frame, so a silent stream's state still changes).</summary>
    internal void RefreshStatus() => _status = Status();

    private StreamStatus Status()
    {
        var (p50, p95) = _latencies.Percentiles;
        return new StreamStatus(Id, Source.Name, State(), Source.Reconnects, Source.LastFailure, Source.Width, Source.Height,
            Rate(_presentTimes), Presented, Source.Frames.Dropped, Rate(_predictionTimes), p50, p95, LastPrediction,
            [.. _plugins.Select(p => p.Status())]);
    }

    /// <summary>What the stream measured over <paramref name="seconds"/> of the host's run.</summary>
    internal LiveSummary Summary(double seconds)
    {
        var networks = _plugins.SelectMany(p => p.Networks).ToArray();
        var runs = networks.Sum(n => n.Runs);
        var (p50, p95) = _latencies.Percentiles;
        return new LiveSummary(Id, seconds, Source.Frames.Published, Presented, Source.Frames.Dropped, Source.Reconnects, runs,
            Source.Frames.Published / seconds, Presented / seconds, runs / seconds, runs == 0 ? 0 : networks.Sum(n => n.InferenceSecondsTotal) * 1000 / runs,
            p50, p95, _overheads.Percentiles.P95, _frameTraffic, _overlayBytes, _runTraffic, [.. _plugins.Where(p => !p.Enabled).Select(p => $"{p.Id}: {p.Error}")]);
    }

    public void Dispose()
    {
        Source.Dispose();
        _display.WaitIdle();
        foreach (var plugin in _plugins)
            plugin.Dispose();
        _overlay.Dispose();
        foreach (var layer in _layers)
            layer.Dispose();
        foreach (var frame in _frames)
            frame.Dispose();
    }
}
