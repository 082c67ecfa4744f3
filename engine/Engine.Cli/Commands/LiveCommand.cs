using System.CommandLine;
using Engine.Host;
using Engine.Services.Mqtt;
using Engine.Video;

namespace Engine.Cli.Commands;

/// <summary>`engine live`: one or more sources (or a `--config` file), plugins, presenters; prints each stream's measurements at the end.</summary>
internal static class LiveCommand
{
    private static readonly Option<string[]> _source = new("--source") { Description = "webcam, webcam:/dev/videoN, file:PATH, rtsp://..., http(s)://..., udp://..., synthetic[:SEED] (repeatable: one stream each; default webcam).", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<string?> _config = new("--config") { Description = "A deployment file (JSON or YAML): streams with their sources and plugins, and outputs (see README)." };
    private static readonly Option<string[]> _plugins = new("--plugin") { Description = "Plugin id to run on every --source stream (repeatable).", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<string[]> _pluginPath = new("--plugin-path") { Description = "Folder to search for plugins (repeatable); default $ENGINE_PLUGIN_PATH and artifacts/plugins." };
    private static readonly Option<string?> _model = new("--model") { Description = "Weight package for the plugins (default: each plugin's own)." };
    private static readonly Option<bool> _window = new("--window") { Description = "Show a window per stream (the default when a display is available)." };
    private static readonly Option<bool> _headless = new("--headless") { Description = "No window." };
    private static readonly Option<string?> _record = new("--record") { Description = "Record each stream's presented frames (ffmpeg) into this folder, one <stream>.mp4 each; with one stream it may be a video file (.mp4, .mkv, .mov, .avi, .webm)." };
    private static readonly Option<string?> _json = new("--json") { Description = "Write one JSON line per finished prediction of every stream to this file." };
    private static readonly Option<int?> _snapshotEvery = new("--snapshot-every") { Description = "Save every N-th presented frame as PNG." };
    private static readonly Option<string> _snapshotDir = new("--snapshot-dir") { Description = "Folder for --snapshot-every (a subfolder per stream when there are several).", DefaultValueFactory = _ => "snapshots" };
    private static readonly Option<long?> _frames = new("--frames") { Description = "Stop after every stream presented N frames." };
    private static readonly Option<double?> _seconds = new("--seconds") { Description = "Stop after S seconds." };
    private static readonly Option<long?> _predictions = new("--predictions") { Description = "Stop after N predictions (all streams together) were presented." };
    private static readonly Option<string[]> _params = new("--param") { Description = "Plugin parameter name=value (repeatable; after a --config file's own)." };
    private static readonly Option<string?> _settings = new("--settings") { Description = "JSON file of plugin parameters: {\"plugin-id\": {\"name\": value}}." };
    private static readonly Option<int> _hop = new("--hop") { Description = "New sampled frames between two clips of a node.", DefaultValueFactory = _ => 1 };
    private static readonly Option<bool> _watchShaders = new("--watch-shaders") { Description = "Recompile plugin shaders when their files change; a shader that fails keeps the old one running and shows file:line." };
    private static readonly Option<string?> _mqtt = new("--mqtt") { Description = "Publish every prediction to an MQTT broker: mqtt://HOST[:PORT][/PREFIX][?buffer=N], topics PREFIX/<stream>/<plugin> and a retained PREFIX/status." };
    private static readonly Option<double?> _memoryEvery = new("--memory-every") { Description = "Print resident and device memory every S seconds, and at the end compare it with minute 2 (a soak run)." };
    private static readonly Option<bool> _sameDevice = new("--same-device") { Description = "Run inference on the display device (on one-queue devices, frames then wait for runs)." };
    private static readonly Option<string?> _http = new("--http") { Description = "Serve the dashboard, the JSON API and /metrics at http://HOST:PORT (loopback unless --http-token is given)." };
    private static readonly Option<string?> _httpToken = new("--http-token") { Description = "Bearer token the HTTP server asks for on every route but /healthz; required to bind a non-loopback address." };
    private static readonly Option<bool> _noBatching = new("--no-batching") { Description = "Run each stream's networks on their own instead of batching the same network of several streams." };

    public static Command Create()
    {
        var command = new Command("live", "Run plugins on live sources and present the overlay (windows, recordings, snapshots, JSON lines).");
        foreach (var o in new Option[] { _source, _config, _plugins, _pluginPath, _model, _window, _headless, _record, _json, _snapshotEvery, _snapshotDir, _frames, _seconds, _predictions, _params, _settings, _hop, _watchShaders, _sameDevice, _noBatching, _mqtt, _memoryEvery, _http, _httpToken, CliOptions.Tune, CliOptions.Precision })
            command.Options.Add(o);
        foreach (var o in LiveOptionsCli.All)
            command.Options.Add(o);
        command.SetAction(result =>
        {
            using var logging = CliOptions.Logging(result);
            if (result.GetValue(_window) && result.GetValue(_headless))
                throw new EngineException("--window and --headless contradict each other.");
            var configFile = result.GetValue(_config);
            var config = configFile is null ? null : HostConfig.Read(configFile);
            var sources = result.GetValue(_source) ?? [];
            var plugins = result.GetValue(_plugins) ?? [];
            if (config is not null && (sources.Length > 0 || plugins.Length > 0))
                throw new EngineException($"--config {configFile} lists the streams and their plugins; --source and --plugin cannot be added to it.");
            // A config file's streams carry their own source options: a flag would be silently ignored.
            if (config is not null && LiveOptionsCli.ConfigKeys.FirstOrDefault(o => result.GetResult(o.Flag) is { Implicit: false }) is { Flag: { } flag, Key: var key })
                throw new EngineException($"--config {configFile} sets each stream's source options; {flag.Name} cannot be added to it: set `{key}` on the stream in the file.");
            var sourceOptions = LiveOptionsCli.Source(result);
            var pluginConfigs = plugins.Select(id => new StreamPluginConfig(id, null, new Dictionary<string, string>(), "--plugin")).ToArray();
            var streams = config?.Streams ?? [.. (sources.Length > 0 ? sources : ["webcam"]).Select(s => new StreamConfig(SourceFactory.ShownName(s), s, sourceOptions, pluginConfigs))];
            // The outputs shared by every stream: the file's, each overridden by its flag.
            var outputs = (config?.Outputs ?? new OutputsConfig()).Over(new OutputsConfig(Json: result.GetValue(_json), Record: result.GetValue(_record), Mqtt: result.GetValue(_mqtt), Http: result.GetValue(_http), HttpToken: result.GetValue(_httpToken)));
            var run = new LiveRun
            {
                Streams = streams,
                ConfigFile = configFile,
                PluginPaths = result.GetValue(_pluginPath) is { Length: > 0 } p ? p : PluginCatalog.DefaultSearchPaths(),
                Options = new LiveOptions
                {
                    Frames = result.GetValue(_frames),
                    Predictions = result.GetValue(_predictions),
                    Duration = result.GetValue(_seconds) is { } s ? TimeSpan.FromSeconds(s) : null,
                    Hop = result.GetValue(_hop),
                    Model = result.GetValue(_model),
                    SettingsFile = result.GetValue(_settings),
                    Parameters = result.GetValue(_params) ?? [],
                    WatchShaders = result.GetValue(_watchShaders),
                    WeightStorage = CliOptions.WeightStorage(result),
                },
                Window = result.GetValue(_window) || (!result.GetValue(_headless) && Environment.GetEnvironmentVariable("DISPLAY") is { Length: > 0 }),
                Outputs = outputs,
                // Parsed here, so a bad address is refused before any device opens.
                Mqtt = outputs.Mqtt is { } mqtt ? MqttSettings.Parse(mqtt, result.GetValue(_mqtt) is null ? $"{configFile}: outputs.mqtt" : "--mqtt") : null,
                SnapshotEvery = result.GetValue(_snapshotEvery),
                SnapshotDirectory = result.GetValue(_snapshotDir)!,
                SameDevice = result.GetValue(_sameDevice),
                Batching = !result.GetValue(_noBatching),
                MemoryEvery = result.GetValue(_memoryEvery) is { } m ? TimeSpan.FromSeconds(m) : null,
            };
            var summaries = run.Run(result, logging);
            foreach (var summary in summaries)
            {
                Console.WriteLine(summaries.Count == 1 ? summary.ToString() : $"{summary.Stream}: {summary}");
                foreach (var disabled in summary.DisabledPlugins)
                    Console.WriteLine($"disabled: {disabled}");
            }
            if (summaries.Count > 1)
                Console.WriteLine($"total: {summaries.Sum(s => s.InferenceRuns)} predictions, {summaries.Sum(s => s.InferenceFps):0.00} /s");
            return 0;
        });
        return command;
    }
}
