using System.CommandLine;
using Engine.Host;

namespace Engine.Cli.Commands;

/// <summary>`engine live`: a source, plugins, presenters; prints the session's measurements at the end.</summary>
internal static class LiveCommand
{
    private static readonly Option<string> _source = new("--source") { Description = "webcam, webcam:/dev/videoN, file:PATH, rtsp://..., http(s)://..., udp://..., synthetic[:SEED].", DefaultValueFactory = _ => "webcam" };
    private static readonly Option<string[]> _plugins = new("--plugin") { Description = "Plugin id to run (repeatable).", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<string[]> _pluginPath = new("--plugin-path") { Description = "Folder to search for plugins (repeatable); default $ENGINE_PLUGIN_PATH and artifacts/plugins." };
    private static readonly Option<string?> _model = new("--model") { Description = "Weight package for the plugins (default: each plugin's own)." };
    private static readonly Option<bool> _window = new("--window") { Description = "Show a window (the default when a display is available)." };
    private static readonly Option<bool> _headless = new("--headless") { Description = "No window." };
    private static readonly Option<string?> _record = new("--record") { Description = "Record the presented frames to this video file (ffmpeg)." };
    private static readonly Option<string?> _json = new("--json") { Description = "Write one JSON line per finished prediction to this file." };
    private static readonly Option<int?> _snapshotEvery = new("--snapshot-every") { Description = "Save every N-th presented frame as PNG." };
    private static readonly Option<string> _snapshotDir = new("--snapshot-dir") { Description = "Folder for --snapshot-every.", DefaultValueFactory = _ => "snapshots" };
    private static readonly Option<long?> _frames = new("--frames") { Description = "Stop after presenting N frames." };
    private static readonly Option<double?> _seconds = new("--seconds") { Description = "Stop after S seconds." };
    private static readonly Option<long?> _predictions = new("--predictions") { Description = "Stop after N predictions were presented." };
    private static readonly Option<string[]> _params = new("--param") { Description = "Plugin parameter name=value (repeatable)." };
    private static readonly Option<string?> _settings = new("--settings") { Description = "JSON file of plugin parameters: {\"plugin-id\": {\"name\": value}}." };
    private static readonly Option<int> _hop = new("--hop") { Description = "New sampled frames between two clips of a node.", DefaultValueFactory = _ => 1 };
    private static readonly Option<bool> _watchShaders = new("--watch-shaders") { Description = "Recompile plugin shaders when their files change; a shader that fails keeps the old one running and shows file:line." };
    private static readonly Option<double?> _memoryEvery = new("--memory-every") { Description = "Print resident and device memory every S seconds, and at the end compare it with minute 2 (a soak run)." };
    private static readonly Option<bool> _sameDevice = new("--same-device") { Description = "Run inference on the display device (on one-queue devices, frames then wait for runs)." };

    public static Command Create()
    {
        var command = new Command("live", "Run plugins on a live source and present the overlay (window, recording, snapshots, JSON lines).");
        foreach (var o in new Option[] { _source, _plugins, _pluginPath, _model, _window, _headless, _record, _json, _snapshotEvery, _snapshotDir, _frames, _seconds, _predictions, _params, _settings, _hop, _watchShaders, _sameDevice, _memoryEvery })
            command.Options.Add(o);
        foreach (var o in LiveOptionsCli.All)
            command.Options.Add(o);
        command.SetAction(result =>
        {
            using var logging = CliOptions.Logging(result);
            if (result.GetValue(_window) && result.GetValue(_headless))
                throw new EngineException("--window and --headless contradict each other.");
            var run = new LiveRun
            {
                Source = result.GetValue(_source)!,
                SourceOptions = LiveOptionsCli.Source(result),
                PluginIds = result.GetValue(_plugins) ?? [],
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
                },
                Window = result.GetValue(_window) || (!result.GetValue(_headless) && Environment.GetEnvironmentVariable("DISPLAY") is { Length: > 0 }),
                Record = result.GetValue(_record),
                Json = result.GetValue(_json),
                SnapshotEvery = result.GetValue(_snapshotEvery),
                SnapshotDirectory = result.GetValue(_snapshotDir)!,
                SameDevice = result.GetValue(_sameDevice),
                MemoryEvery = result.GetValue(_memoryEvery) is { } m ? TimeSpan.FromSeconds(m) : null,
            };
            var summary = run.Run(result, logging);
            Console.WriteLine(summary);
            foreach (var disabled in summary.DisabledPlugins)
                Console.WriteLine($"disabled: {disabled}");
            return 0;
        });
        return command;
    }
}
