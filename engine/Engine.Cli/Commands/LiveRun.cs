using System.CommandLine;
using Engine.Gpu;
using Engine.Host;
using Engine.Video;
using Microsoft.Extensions.Logging;

namespace Engine.Cli.Commands;

/// <summary>
/// One live session as `engine live` and `engine demo` run it: loads the plugins, opens the source
/// (before any device, so a missing camera fails first), the process's one Vulkan instance (with a
/// window's surface extensions when there is a window), from it a display device (which also
/// presents to the window) and, unless <see cref="SameDevice"/>, a second logical device for
/// inference, the presenters, and runs until the session's bound or Ctrl-C.
/// </summary>
internal sealed record LiveRun
{
    public required string Source { get; init; }

    public required SourceOptions SourceOptions { get; init; }

    public required IReadOnlyList<string> PluginIds { get; init; }

    public required IReadOnlyList<string> PluginPaths { get; init; }

    public required LiveOptions Options { get; init; }

    public bool Window { get; init; }

    public string? Record { get; init; }

    public string? Json { get; init; }

    public int? SnapshotEvery { get; init; }

    public string SnapshotDirectory { get; init; } = "snapshots";

    public bool SameDevice { get; init; }

    /// <summary>Print resident and device memory this often, and compare the end with minute 2 (null: no sampling).</summary>
    public TimeSpan? MemoryEvery { get; init; }

    /// <summary>Runs the session; <paramref name="opened"/> sees the source once it is open (e.g. to keep the synthetic scene).</summary>
    public LiveSummary Run(ParseResult result, ILoggerFactory logging, Action<IFrameSource>? opened = null)
    {
        var logger = logging.CreateLogger("live");
        var catalog = new PluginCatalog(PluginPaths, logger);
        if (PluginIds.Count == 0)
            throw new EngineException($"choose a plugin with --plugin ID (found: {string.Join(", ", catalog.Entries.Where(e => e.Status != PluginStatus.Skipped).Select(e => e.Id).DefaultIfEmpty("none"))}).");
        var loaded = new List<LoadedPlugin>();
        var presenters = new List<IPresenter>();
        Instance? instance = null;
        Instance? inferenceInstance = null;
        Device? display = null;
        Device? inference = null;
        LiveSummary summary;
        try
        {
            foreach (var id in PluginIds)
                loaded.Add(catalog.Load(id));
            var source = SourceFactory.Open(Source, SourceOptions, logging);
            opened?.Invoke(source);
            instance = CliOptions.Instance(result, logging, Window ? WindowPresenter.RequiredInstanceExtensions() : null);
            display = instance.CreateDevice(CliOptions.DeviceOptions(result, logging) with { Presentation = Window });
            if (!SameDevice)
            {
                // A CPU device (lavapipe) runs the dispatches of every device of one instance on one
                // compute thread pool (the driver's, per physical device), first come first served, so
                // the display's few small dispatches queue behind the network's long ones: NL I3D R50
                // presented 20.8 fps with one instance against 29.2 with two (docs/bench-log.md,
                // 2026-12-06). There, and only there, inference gets an instance of its own; a GPU
                // runs the two devices' queues side by side, so both come from the one instance.
                if (display.Info.Type == Interop.VkPhysicalDeviceType.Cpu)
                    inferenceInstance = CliOptions.Instance(result, logging);
                inference = (inferenceInstance ?? instance).CreateDevice(CliOptions.DeviceOptions(result, logging));
            }
            if (Window)
                presenters.Add(new WindowPresenter($"nonlocal-engine: {source.Name}", source.Width, source.Height, display));
            if (Json is { } json)
                presenters.Add(new JsonLinesPresenter(json));
            if (Record is { } record)
                presenters.Add(new RecordingPresenter(record, source.Width, source.Height, source.Fps, logger));
            if (SnapshotEvery is { } every)
                presenters.Add(new SnapshotPresenter(SnapshotDirectory, every));
            using var session = new LiveSession(display, inference ?? display, source, loaded, presenters, Options, logging);
            using var memory = MemoryEvery is { } period ? new MemoryWatch(inference is null ? [display] : [display, inference], period, sample => Console.WriteLine(sample)) : null;
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler stop = (_, e) =>
            {
                e.Cancel = true;
                cancel.Cancel();
            };
            Console.CancelKeyPress += stop;
            try
            {
                summary = session.Run(cancel.Token);
            }
            finally
            {
                Console.CancelKeyPress -= stop;
            }
            if (memory is not null)
            {
                memory.Dispose(); // the last sample: the run's end, before teardown
                Console.WriteLine(memory.Report());
            }
        }
        finally
        {
            // Presenters hold the display device's swapchain; devices go before their instance.
            foreach (var presenter in presenters)
                presenter.Dispose();
            inference?.Dispose();
            inferenceInstance?.Dispose();
            display?.Dispose();
            instance?.Dispose();
            foreach (var plugin in loaded)
                plugin.Dispose();
        }
        ReportLeaks(instance!, inferenceInstance);
        return summary;
    }

    /// <summary>
    /// With the validation layer, what it found alive when the devices and instances were destroyed:
    /// printed, and an error (exit code 2) when anything was.
    /// </summary>
    private static void ReportLeaks(Instance instance, Instance? inferenceInstance)
    {
        if (!instance.Validation)
            return;
        Instance[] instances = inferenceInstance is null ? [instance] : [instance, inferenceInstance];
        var leaked = instances.Sum(i => i.LeakedObjects);
        var messages = instances.SelectMany(i => i.ValidationMessages).ToArray();
        Console.WriteLine($"validation: {messages.Length} messages, {leaked} objects left alive at exit");
        if (leaked > 0)
            throw new EngineException($"validation: {leaked} Vulkan objects were left alive at exit; the layer's errors above name them.");
    }
}
