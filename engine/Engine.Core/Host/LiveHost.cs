using System.Diagnostics;
using System.Globalization;
using Engine.Gpu;
using Engine.Video;
using Microsoft.Extensions.Logging;

namespace Engine.Host;

/// <summary>
/// A live host: several streams (<see cref="LiveStream"/>, each a source with its own clip buffers,
/// overlay, HUD and presenters) sharing one display device and one inference device, the outputs
/// every stream reports to (JSON lines, MQTT), and the cross-stream batches (<see cref="NetworkBatch"/>).
/// <para>
/// Threading: one loop on the calling thread serves every stream in turn and never blocks on any
/// single one. Each pass takes the newest frame of every stream that has one waiting (a stream without
/// one, slow or dead, is skipped, not waited for), then launches the batches whose streams are due, so
/// a batch sees the clips of every stream that had a frame in that pass. Only when no stream had a
/// frame does the loop sleep, on a signal every source's ring sets when it publishes. One thread
/// rather than a thread per stream because the streams share the devices' queues (whose submission
/// Vulkan requires to be externally synchronised), plugin code is called "never concurrently", a
/// window's events belong to the thread that made it, a batch needs every stream's clips in one place,
/// and the shared outputs get their calls one at a time without a lock; a stream's work per frame is
/// recording and submitting, not waiting for the GPU, so one thread keeps up with several streams.
/// What it cannot isolate is a presenter that blocks (a recorder whose ffmpeg stalls) and a very
/// expensive frame: both slow every stream.
/// </para>
/// <para>
/// The host stops at the frame bound (every stream presented that many), the prediction bound (over
/// all streams), the time bound, when every source has ended, on a quit request (a window closed) or
/// on cancellation. When no stream has delivered a frame for <see cref="LiveOptions.SourceTimeout"/>
/// while one says it is live (a hung source) it gives up with an error; streams that are connecting
/// or reconnecting are waited for (they retry on their own), and a single silent stream among live
/// ones is only reported in its status.
/// </para>
/// </summary>
public sealed class LiveHost : ILiveHostView, IDisposable
{
    private readonly List<LiveStream> _streams = [];
    private readonly IReadOnlyList<IPresenter> _shared;
    private readonly LiveOptions _options;
    private readonly ILogger _logger;
    private readonly List<NetworkBatch> _batches;
    private readonly AutoResetEvent _arrivals = new(false);
    // The stream of every network: a batched run counts the bytes of each clip it takes in that clip's stream.
    private readonly Dictionary<NetworkRunner, LiveStream> _streamOf = [];

    /// <summary>
    /// A host of <paramref name="streams"/> (it owns their sources from here on, even when it fails) on <paramref name="display"/> (frames, overlays, clip buffers)
    /// and <paramref name="inference"/> (networks; may be the display device); <paramref name="shared"/>
    /// are the outputs every stream's predictions go to, called one at a time. With
    /// <paramref name="batching"/> the same network of several streams runs as one batch (<see cref="NetworkBatch"/>).
    /// </summary>
    public LiveHost(Device display, Device inference, IReadOnlyList<StreamSetup> streams, IReadOnlyList<IPresenter> shared, LiveOptions options,
        ILoggerFactory logging, bool batching = true)
    {
        _shared = shared;
        _options = options;
        _logger = logging.CreateLogger<LiveHost>();
        try
        {
            if (streams.Count == 0)
                throw new EngineException("A live host needs at least one stream.");
            if (streams.GroupBy(s => s.Id).FirstOrDefault(g => g.Count() > 1) is { } twice)
                throw new EngineException($"stream id '{twice.Key}' is used by {twice.Count()} streams; give each stream its own id.");
            foreach (var setup in streams)
            {
                _streams.Add(new LiveStream(setup, display, inference, options, logging));
                setup.Source.Frames.Arrivals = _arrivals;
            }
            foreach (var stream in _streams)
            {
                foreach (var network in stream.Plugins.SelectMany(p => p.Networks))
                    _streamOf[network] = stream;
            }
            _batches = NetworkBatch.Build(_streamOf.Keys, inference, options.Compile, batching, _logger);
        }
        catch
        {
            // The host owns every setup's source from the call on, also those it did not get to.
            foreach (var stream in _streams)
                stream.Dispose();
            foreach (var setup in streams.Skip(_streams.Count))
                setup.Source.Dispose();
            throw;
        }
    }

    public IReadOnlyList<LiveStream> LiveStreams => _streams;

    /// <summary>Batches of more than one stream (the host launches them; a network running alone is launched by its stream).</summary>
    public IEnumerable<NetworkBatch> SharedBatches => _batches.Where(b => b.Size > 1);

    /// <summary>Runs until a bound, the end of every source, a quit request or <paramref name="cancel"/>; returns each stream's summary.</summary>
    public IReadOnlyList<LiveSummary> Run(CancellationToken cancel = default)
    {
        var start = Stopwatch.GetTimestamp();
        foreach (var stream in _streams)
            stream.Start(start);
        var shared = new Action<PredictionRecord>(record =>
        {
            foreach (var presenter in _shared)
                presenter.Prediction(record);
        });
        while (!cancel.IsCancellationRequested)
        {
            if (_options.Frames is { } maxFrames && _streams.All(s => s.Presented >= maxFrames || s.Ended))
                break;
            if (_options.Predictions is { } maxPredictions && _streams.Sum(s => s.Predictions) >= maxPredictions)
                break;
            if (_options.Duration is { } duration && Stopwatch.GetElapsedTime(start) >= duration)
                break;
            var presented = false;
            foreach (var stream in _streams)
            {
                // A stream without a frame this pass takes a new status snapshot, so a silent stream's
                // state reaches the API and metrics while other streams keep the loop busy.
                if ((_options.Frames is not { } frames || stream.Presented < frames) && stream.Step(start, shared))
                    presented = true;
                else
                    stream.RefreshStatus();
            }
            foreach (var batch in _batches.Where(b => b.Size > 1))
                batch.TryLaunch(around: (network, take) => _streamOf[network].CountRunTraffic(take));
            if (_streams.Any(s => s.QuitRequested) || _shared.Any(p => p.QuitRequested))
                break;
            if (presented)
                continue;
            if (_streams.All(s => s.Ended))
                break;
            var newest = _streams.Max(s => s.LastFrameTicks);
            if (_streams.Any(s => s.Source.State == SourceState.Live) && Stopwatch.GetElapsedTime(newest) > _options.SourceTimeout)
            {
                var silent = _streams.Where(s => !s.Ended).Select(s => $"{s.Id}{(s.Source.LastFailure is { } f ? $" (last failure: {f})" : "")}");
                throw new EngineException(string.Create(CultureInfo.InvariantCulture, $"{string.Join(", ", silent)}: no frame for {_options.SourceTimeout.TotalSeconds:0.#} s."));
            }
            WaitHandle.WaitAny([_arrivals, cancel.WaitHandle], TimeSpan.FromMilliseconds(250));
        }
        var seconds = Math.Max(1e-3, Stopwatch.GetElapsedTime(start).TotalSeconds);
        var summaries = _streams.Select(s => s.Summary(seconds)).ToArray();
        foreach (var summary in summaries)
            _logger.LogInformation("{Stream}: {Summary}", summary.Stream, summary);
        return summaries;
    }

    public IReadOnlyList<StreamStatus> Streams() => [.. _streams.Select(s => s.CurrentStatus)];

    public StreamView? LatestView(string stream) => _streams.FirstOrDefault(s => s.Id == stream)?.LatestView();

    public string? SetParameter(string stream, string plugin, string name, string value) =>
        _streams.FirstOrDefault(s => s.Id == stream) is { } found ? found.SetParameter(plugin, name, value)
        : $"no stream '{stream}' (streams: {string.Join(", ", _streams.Select(s => s.Id))})";

    public void Dispose()
    {
        foreach (var stream in _streams)
            stream.Dispose();
        foreach (var batch in _batches)
            batch.Dispose();
        _arrivals.Dispose();
    }
}
