using System.CommandLine;
using Engine.Gpu;
using Engine.Host;
using Engine.Services.Http;
using Engine.Services.Mqtt;
using Engine.Video;
using Microsoft.Extensions.Logging;

namespace Engine.Cli.Commands;

/// <summary>
/// One live host as `engine live` and `engine demo` run it: loads every stream's plugins, opens the
/// sources (before any device, so a missing camera fails first), the process's one Vulkan instance
/// (with a window's surface extensions when there are windows), from it a display device (which also
/// presents to the windows) and, unless <see cref="SameDevice"/>, a second logical device for
/// inference, each stream's presenters and the outputs shared by all streams, and runs until the
/// host's bound or Ctrl-C.
/// </summary>
internal sealed record LiveRun
{
    private static readonly string[] _videoExtensions = [".mp4", ".mkv", ".mov", ".avi", ".webm"];

    /// <summary>The streams: from `--source` (each with the `--plugin` list) or from a `--config` file.</summary>
    public required IReadOnlyList<StreamConfig> Streams { get; init; }

    /// <summary>The `--config` file the streams come from (null: the command line), named in errors about them.</summary>
    public string? ConfigFile { get; init; }

    public required IReadOnlyList<string> PluginPaths { get; init; }

    public required LiveOptions Options { get; init; }

    public bool Window { get; init; }

    public OutputsConfig Outputs { get; init; } = new();

    /// <summary>The broker of <see cref="OutputsConfig.Mqtt"/>, parsed.</summary>
    public MqttSettings? Mqtt { get; init; }

    public int? SnapshotEvery { get; init; }

    public string SnapshotDirectory { get; init; } = "snapshots";

    public bool SameDevice { get; init; }

    /// <summary>Run the same network of several streams as one batch (`--no-batching` turns it off).</summary>
    public bool Batching { get; init; } = true;

    /// <summary>Print resident and device memory this often, and compare the end with minute 2 (null: no sampling).</summary>
    public TimeSpan? MemoryEvery { get; init; }

    /// <summary>Runs the host; <paramref name="opened"/> sees each source once it is open (e.g. to keep the synthetic scene).</summary>
    public IReadOnlyList<LiveSummary> Run(ParseResult result, ILoggerFactory logging, Action<IFrameSource>? opened = null)
    {
        var logger = logging.CreateLogger("live");
        var http = HttpServerOptions.From(Outputs.Http, Outputs.HttpToken);
        var catalog = new PluginCatalog(PluginPaths, logger);
        if (Streams.Any(s => s.Plugins.Count == 0))
            throw new EngineException($"choose a plugin with --plugin ID (found: {string.Join(", ", catalog.Entries.Where(e => e.Status != PluginStatus.Skipped).Select(e => e.Id).DefaultIfEmpty("none"))}).");
        var loaded = new List<LoadedPlugin>();
        var sources = new List<IFrameSource>();
        var presenters = new List<IPresenter>();
        Instance? instance = null;
        Instance? inferenceInstance = null;
        Device? display = null;
        Device? inference = null;
        LiveHost? host = null;
        IReadOnlyList<LiveSummary> summaries;
        try
        {
            var plugins = Streams.Select(stream => stream.Plugins.Select(p =>
            {
                var plugin = catalog.Load(p.Id);
                loaded.Add(plugin);
                return Setup(plugin, p);
            }).ToArray()).ToArray();
            foreach (var stream in Streams)
            {
                var source = SourceFactory.Open(stream.Source, stream.Options, logging);
                sources.Add(source);
                opened?.Invoke(source);
            }
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
            var setups = Streams.Select((stream, i) => new StreamSetup(stream.Id, sources[i], plugins[i], StreamPresenters(stream.Id, sources[i], display, presenters, logger))).ToArray();
            var shared = SharedOutputs(presenters, logging);
            sources.Clear(); // the host owns them from here on
            host = new LiveHost(display, inference ?? display, setups, shared, Options, logging, Batching);
            using var memory = MemoryEvery is { } period ? new MemoryWatch(inference is null ? [display] : [display, inference], period, sample => Console.WriteLine(sample)) : null;
            using var server = http is null ? null : HttpServer.Start(http, host, logging, shared.OfType<MqttPresenter>().SingleOrDefault());
            if (server is not null)
                Console.WriteLine($"http: dashboard at {server.Address}");
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler stop = (_, e) =>
            {
                e.Cancel = true;
                cancel.Cancel();
            };
            Console.CancelKeyPress += stop;
            try
            {
                summaries = host.Run(cancel.Token);
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
            host?.Dispose();
            foreach (var source in sources)
                source.Dispose();
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
        return summaries;
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

    /// <summary>
    /// A stream's plugin: the file's model and parameters (each checked against the plugin's declared
    /// parameters here, so an error names the file and key), then `--model` and `--param` from the command line.
    /// </summary>
    private PluginSetup Setup(LoadedPlugin plugin, StreamPluginConfig config)
    {
        var specs = plugin.Plugin.Parameters;
        foreach (var (name, value) in config.Parameters)
        {
            var key = $"{ConfigFile}: {config.Key}.parameters.{name}";
            var spec = specs.FirstOrDefault(s => s.Name == name)
                ?? throw new EngineException($"{key}: plugin '{plugin.Id}' has no parameter '{name}' (it has {string.Join(", ", specs.Select(s => s.Name).DefaultIfEmpty("none"))}).");
            if (spec.Validate(value) is { } error)
                throw new EngineException($"{key}: {error}.");
        }
        var fromCommandLine = PluginSetup.FromOptions(plugin, Options);
        return new PluginSetup(plugin, config.Model ?? fromCommandLine.Model, [.. config.Parameters.Select(p => $"{p.Key}={p.Value}"), .. fromCommandLine.Parameters]);
    }

    /// <summary>
    /// A stream's own presenters: its window, its recording, its snapshots; each is added to
    /// <paramref name="all"/> (for disposal) as soon as it exists, so one that fails to start does not leak those before it.
    /// </summary>
    private IReadOnlyList<IPresenter> StreamPresenters(string id, IFrameSource source, Device display, List<IPresenter> all, ILogger logger)
    {
        var own = new List<IPresenter>();
        void Add(IPresenter presenter)
        {
            all.Add(presenter);
            own.Add(presenter);
        }
        var several = Streams.Count > 1;
        if (Window)
            Add(new WindowPresenter($"nonlocal-engine: {id}", source.Width, source.Height, display));
        if (Outputs.Record is { } record)
        {
            string file;
            if (!several && _videoExtensions.Contains(Path.GetExtension(record), StringComparer.OrdinalIgnoreCase))
            {
                file = record;
            }
            else
            {
                Directory.CreateDirectory(record);
                file = Path.Combine(record, $"{FileName(id)}.mp4");
            }
            Add(new RecordingPresenter(file, source.Width, source.Height, source.Fps, logger));
        }
        if (SnapshotEvery is { } every)
            Add(new SnapshotPresenter(several ? Path.Combine(SnapshotDirectory, FileName(id)) : SnapshotDirectory, every));
        return own;
    }

    /// <summary>
    /// The outputs every stream's predictions go to (the `outputs` of the config, or their flags),
    /// added to <paramref name="all"/> for disposal. The host calls them one at a time.
    /// </summary>
    private IReadOnlyList<IPresenter> SharedOutputs(List<IPresenter> all, ILoggerFactory logging)
    {
        var shared = new List<IPresenter>();
        if (Outputs.Json is { } json)
            shared.Add(new JsonLinesPresenter(json));
        if (Mqtt is { } mqtt)
            shared.Add(new MqttPresenter(mqtt, logging.CreateLogger("mqtt")));
        all.AddRange(shared);
        return shared;
    }

    /// <summary>A stream id as a file name: characters other than letters, digits, '.', '-' and '_' become '_'.</summary>
    private static string FileName(string id) => string.Concat(id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));
}
