using System.Diagnostics;
using System.Globalization;
using Engine.Gpu;
using Engine.Video;
using Microsoft.Extensions.Logging;

namespace Engine.Host;

/// <summary>
/// The live loop. At camera rate: take the newest frame (older ones were dropped by the ring),
/// write it to the GPU (the frame path's one whole-frame crossing), collect finished network runs,
/// preprocess the frame into the clip buffers that sample it and draw the overlay in one
/// submission, then launch the runs whose cadence fired (at most one in flight per network; they run
/// on the inference device while frames keep flowing) and hand the GPU image to the presenters.
/// The loop never waits for a frame's submission: <see cref="FramesInFlight"/> frames and overlay
/// layers rotate, and writing one waits only if the GPU still reads it (the resource is about to be
/// reused); only presenters that download (the recorder, snapshots) wait for the frame's drawing.
/// When the display and inference devices are one device with one queue, runs serialise with
/// frames; the CLI opens a second device for inference, and clips cross to it through the host
/// (<see cref="Video.ClipBuffer.TakeClip"/>). Host↔device bytes are counted on both devices: those
/// of the frame path per frame, those of runs (clip bridge, result readback, rebuilds) per run.
/// The session owns the source and disposes it.
/// </summary>
public sealed class LiveSession : IDisposable
{
    /// <summary>
    /// Frames whose GPU work may be queued at once. Three: one being written by the host, one the GPU
    /// draws, one a presenter still copies or reads.
    /// </summary>
    public const int FramesInFlight = 3;

    private readonly Device _display;
    private readonly Device _inference;
    private readonly IFrameSource _source;
    private readonly List<PluginRunner> _plugins;
    private (double X, double Y)? _lastClick;
    private readonly IReadOnlyList<IPresenter> _presenters;
    private readonly LiveOptions _options;
    private readonly ILogger _logger;
    private readonly GpuFrame[] _frames;
    private readonly OverlayLayer[] _layers;
    private readonly OverlayRenderer _overlay;
    private readonly OverlayCanvas _canvas;
    private readonly List<double> _latencies = [];
    // Sorted once per prediction, not per frame: the HUD reads them every frame.
    private (double P50, double P95) _latencyPercentiles;
    private readonly List<double> _overheads = [];
    private HostTraffic _runTraffic;
    private long _overlayBytes;

    public LiveSession(Device display, Device inference, IFrameSource source, IReadOnlyList<LoadedPlugin> plugins, IReadOnlyList<IPresenter> presenters,
        LiveOptions options, ILoggerFactory logging)
    {
        _display = display;
        _inference = inference;
        _source = source;
        _presenters = presenters;
        _options = options;
        _logger = logging.CreateLogger<LiveSession>();
        _frames = [.. Enumerable.Range(0, FramesInFlight).Select(_ => new GpuFrame(display, source.Width, source.Height))];
        _layers = [.. Enumerable.Range(0, FramesInFlight).Select(i => new OverlayLayer(display, source.Width, source.Height, $"overlay {i}"))];
        _overlay = new OverlayRenderer(display, source.Width, source.Height);
        _canvas = new OverlayCanvas(source.Width, source.Height);
        _plugins = [.. plugins.Select(p => new PluginRunner(p, display, inference, source.Width, source.Height, options, _logger))];
    }

    public IReadOnlyList<PluginRunner> Plugins => _plugins;

    /// <summary>Runs until the frame, prediction or time limit, the end of the source, a quit request or <paramref name="cancel"/>.</summary>
    public LiveSummary Run(CancellationToken cancel = default)
    {
        var start = Stopwatch.GetTimestamp();
        var trafficAtStart = Traffic();
        long presented = 0;
        long predictions = 0;
        var lastFrameTicks = start;
        var presentTimes = new Queue<long>();
        _source.Start();
        while (!cancel.IsCancellationRequested)
        {
            if (_options.Frames is { } maxFrames && presented >= maxFrames)
                break;
            if (_options.Predictions is { } maxPredictions && predictions >= maxPredictions)
                break;
            if (_options.Duration is { } duration && Stopwatch.GetElapsedTime(start) >= duration)
                break;
            var frame = _source.Frames.Take(TimeSpan.FromMilliseconds(250));
            if (frame is null)
            {
                if (_source.Frames.IsCompleted)
                {
                    _logger.LogInformation("{Source}: no more frames", _source.Name);
                    break;
                }
                if (Stopwatch.GetElapsedTime(lastFrameTicks) > _options.SourceTimeout)
                    throw new EngineException($"{_source.Name}: no frame for {_options.SourceTimeout.TotalSeconds:0} s{(_source.LastFailure is { } f ? $" (last failure: {f})" : "")}.");
                continue;
            }
            lastFrameTicks = Stopwatch.GetTimestamp();
            var number = frame.Number;
            var slot = (int)(presented % FramesInFlight);
            try
            {
                using var list = _display.CreateCommandList("frame");
                _frames[slot].Write(frame, list);
                CountRunTraffic(() =>
                {
                    foreach (var plugin in _plugins)
                        plugin.Poll();
                });

                _canvas.Clear();
                OverlayComposer.Compose(_canvas, _plugins, Hud(start, presented, presentTimes));
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
                _source.Frames.Release(frame);
            }

            var drawn = Stopwatch.GetTimestamp();
            var time = Stopwatch.GetElapsedTime(start, drawn).TotalSeconds;
            foreach (var plugin in _plugins)
            {
                foreach (var network in plugin.Networks.Where(n => n.LatestUndrawn))
                {
                    network.LatestUndrawn = false;
                    var latest = network.Latest!.Value;
                    var latency = Stopwatch.GetElapsedTime(latest.CaptureTicks, drawn).TotalMilliseconds;
                    _latencies.Add(latency);
                    _latencyPercentiles = Percentiles(_latencies);
                    _overheads.Add(latency - network.LastInferenceSeconds * 1000);
                    var record = new PredictionRecord(_source.Name, latest.Frame, time, plugin.Id, latency, latest.Metadata.TopK,
                        [.. latest.Metadata.Boxes.Select(b => (b.Region.X0 * _source.Width, b.Region.Y0 * _source.Height, b.Region.X1 * _source.Width, b.Region.Y1 * _source.Height, b.Label, b.Score))]);
                    foreach (var presenter in _presenters)
                        presenter.Prediction(record);
                    predictions++;
                }
                CountRunTraffic(() => plugin.Launch(number));
            }

            var image = new OverlayImage(_overlay.Image, _source.Width, _source.Height);
            foreach (var presenter in _presenters)
                presenter.Present(image, number);
            presented++;
            presentTimes.Enqueue(Stopwatch.GetTimestamp());
            if (_presenters.Any(p => p.QuitRequested))
                break;
            if (_presenters.Select(p => p.LastClick).FirstOrDefault(c => c is not null) is { } click && click != _lastClick)
            {
                _lastClick = click;
                CountRunTraffic(() => Requery(click));
            }
        }
        return Summary(start, presented, Traffic() - trafficAtStart);
    }

    /// <summary>Host↔device bytes so far on the display and (if another) the inference device.</summary>
    private HostTraffic Traffic() => _display == _inference ? _display.Traffic : _display.Traffic + _inference.Traffic;

    /// <summary>Runs inference work (polling, launching, rebuilding), counting its host↔device bytes apart from the frame path's.</summary>
    private void CountRunTraffic(Action work)
    {
        var before = Traffic();
        work();
        _runTraffic += Traffic() - before;
    }

    /// <summary>
    /// A click moves the attention query of every network that shows one: the position is written to the
    /// network's query input before its next run (no rebuild, no new weights).
    /// </summary>
    private void Requery((double X, double Y) click)
    {
        foreach (var plugin in _plugins.Where(p => p.MoveQuery(click.X, click.Y)))
            _logger.LogInformation("{Plugin}: attention query moved to ({X:0.00}, {Y:0.00})", plugin.Id, click.X, click.Y);
    }

    private string Hud(long start, long presented, Queue<long> presentTimes)
    {
        // Rates over the last second, so the HUD follows changes.
        var now = Stopwatch.GetTimestamp();
        while (presentTimes.Count > 0 && now - presentTimes.Peek() > Stopwatch.Frequency)
            presentTimes.Dequeue();
        var runs = _plugins.SelectMany(p => p.Networks).Sum(n => n.Runs);
        var seconds = Math.Max(1e-3, Stopwatch.GetElapsedTime(start).TotalSeconds);
        var (p50, p95) = _latencyPercentiles;
        return string.Create(CultureInfo.InvariantCulture,
            $"{presentTimes.Count} fps  frame {presented}  dropped {_source.Frames.Dropped}\ninference {runs / seconds:0.00}/s  latency p50 {p50:0} p95 {p95:0} ms");
    }

    private static (double P50, double P95) Percentiles(List<double> values)
    {
        if (values.Count == 0)
            return (0, 0);
        var sorted = values.Order().ToArray();
        return (sorted[(int)Math.Round(0.5 * (sorted.Length - 1))], sorted[(int)Math.Round(0.95 * (sorted.Length - 1))]);
    }

    private LiveSummary Summary(long start, long presented, HostTraffic traffic)
    {
        var seconds = Math.Max(1e-3, Stopwatch.GetElapsedTime(start).TotalSeconds);
        var networks = _plugins.SelectMany(p => p.Networks).ToArray();
        var runs = networks.Sum(n => n.Runs);
        var (p50, p95) = _latencyPercentiles;
        var summary = new LiveSummary(seconds, _source.Frames.Published, presented, _source.Frames.Dropped, _source.Reconnects, runs,
            _source.Frames.Published / seconds, presented / seconds, runs / seconds, runs == 0 ? 0 : networks.Sum(n => n.InferenceSecondsTotal) * 1000 / runs,
            p50, p95, Percentiles(_overheads).P95, traffic - _runTraffic, _overlayBytes, _runTraffic, [.. _plugins.Where(p => !p.Enabled).Select(p => $"{p.Id}: {p.Error}")]);
        _logger.LogInformation("{Summary}", summary);
        return summary;
    }

    public void Dispose()
    {
        _source.Dispose();
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
