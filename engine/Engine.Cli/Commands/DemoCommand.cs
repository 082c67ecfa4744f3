using System.CommandLine;
using Engine.Host;
using Engine.Models;
using Engine.Video;

namespace Engine.Cli.Commands;

/// <summary>
/// `engine demo`: the default action model (nonlocal-action's own package, trained on the synthetic
/// scene) live. The source is a camera ffmpeg can open, else the synthetic scene, or `--source`. With
/// a display it runs in a window until closed; without one it runs headless until a bound (60 s, or
/// `--predictions N`), recording the overlay to an .mp4 and the predictions to JSON lines, and prints
/// their paths. On the synthetic scene it also scores the predictions against the script
/// (<see cref="SceneAgreement"/>).
/// </summary>
internal static class DemoCommand
{
    private const string Plugin = "nonlocal-action";

    private static readonly Option<string?> _source = new("--source") { Description = "Any `engine live` source (default: a camera ffmpeg can open, else synthetic)." };
    private static readonly Option<bool> _headless = new("--headless") { Description = "No window even when a display exists." };
    private static readonly Option<double?> _seconds = new("--seconds") { Description = "Run time (default: 60 s headless unless --predictions is given, until the window closes otherwise)." };
    private static readonly Option<long?> _predictions = new("--predictions") { Description = "Stop after N predictions (with --seconds, whichever comes first)." };
    private static readonly Option<string?> _out = new("--out") { Description = "Folder for the recording and the JSON lines (default: artifacts/demo beside the build)." };
    private static readonly Option<string?> _model = new("--model") { Description = "Weight package (default: nonlocal-action's trained default model)." };
    private static readonly Option<string[]> _params = new("--param") { Description = "nonlocal-action parameter name=value (repeatable)." };

    public static Command Create()
    {
        var command = new Command("demo", "The default action model live: a window when a display exists, else a bounded headless run with a recording and JSON lines.");
        foreach (var o in new Option[] { _source, _headless, _seconds, _predictions, _out, _model, _params, CliOptions.Precision })
            command.Options.Add(o);
        foreach (var o in LiveOptionsCli.All)
            command.Options.Add(o);
        command.SetAction(result =>
        {
            using var logging = CliOptions.Logging(result);
            var noWindow = result.GetValue(_headless) ? "--headless" : WindowPresenter.Unavailable();
            var window = noWindow is null;
            var source = result.GetValue(_source) ?? DefaultSource();
            var predictions = result.GetValue(_predictions);
            var seconds = result.GetValue(_seconds) ?? (window || predictions is not null ? null : 60.0);
            var paths = PluginCatalog.DefaultSearchPaths();
            var entry = new PluginCatalog(paths, logging.CreateLogger("demo")).Entries.FirstOrDefault(e => e.Id == Plugin && e.Manifest is not null)
                ?? throw new EngineException($"the {Plugin} plugin is not built (searched {string.Join(", ", paths)}); run ./engine.sh demo, which builds it.");
            var modelPath = result.GetValue(_model) ?? entry.Manifest!.DefaultModel
                ?? throw new EngineException($"{entry.Directory}/plugin.json names no default model; pass --model PACKAGE.");
            if (!File.Exists(modelPath))
                throw new EngineException($"{modelPath}: the default model is missing; the build converts it from models/default (./engine.sh demo).");
            var model = PackageMetadata.Read(modelPath).ToModelInfo();

            var outDir = Path.GetFullPath(result.GetValue(_out) ?? DefaultOutput());
            Directory.CreateDirectory(outDir);
            var json = Path.Combine(outDir, "predictions.jsonl");
            var record = window ? null : Path.Combine(outDir, "demo.mp4");
            Console.WriteLine(window
                ? $"demo: {Plugin} on {source} in a window (close it or press Ctrl-C to stop)"
                : $"demo: {Plugin} on {source}, headless ({noWindow}) {Bound(seconds, predictions)}");
            Console.WriteLine($"model: {modelPath} ({model.Frames} frames every {model.SamplingRate}, crop {model.Crop}, {model.Labels.Count} labels)");

            SyntheticScene? scene = null;
            var run = new LiveRun
            {
                Streams = [new StreamConfig(source, source, LiveOptionsCli.Source(result), [new StreamPluginConfig(Plugin, null, new Dictionary<string, string>(), "demo")])],
                PluginPaths = paths,
                Options = new LiveOptions
                {
                    Duration = seconds is { } s ? TimeSpan.FromSeconds(s) : null,
                    Predictions = predictions,
                    Model = modelPath,
                    Parameters = result.GetValue(_params) ?? [],
                    WeightStorage = CliOptions.WeightStorage(result),
                },
                Window = window,
                Outputs = new OutputsConfig(Json: json, Record: record),
            };
            var summary = run.Run(result, logging, opened => scene = (opened as SyntheticSource)?.Scene).Single();
            Console.WriteLine(summary);
            foreach (var disabled in summary.DisabledPlugins)
                Console.WriteLine($"disabled: {disabled}");
            if (record is not null)
                Console.WriteLine($"recording: {record}");
            Console.WriteLine($"json lines: {json}");
            if (scene is not null && model.Frames is { } frames && model.SamplingRate is { } rate)
                Console.WriteLine($"ground truth: {SceneAgreement.Score(scene, JsonLinesPresenter.TopLabels(json, Plugin), (frames - 1) * rate + 1)}");
            return summary.DisabledPlugins.Count == 0 ? 0 : 1;
        });
        return command;
    }

    private static string Bound(double? seconds, long? predictions) => (seconds, predictions) switch
    {
        ({ } s, { } n) => $"for {s:0.#} s or {n} predictions",
        (null, { } n) => $"until {n} predictions",
        _ => $"for {seconds:0.#} s",
    };

    /// <summary>The first camera ffmpeg can open, else the synthetic scene.</summary>
    private static string DefaultSource()
    {
        foreach (var device in Cameras.Devices())
        {
            var source = $"webcam:{device}";
            try
            {
                StreamProbe.Probe(SourceFactory.Input(source, new SourceOptions()), TimeSpan.FromSeconds(5));
                return source;
            }
            catch (EngineException)
            {
                // Not a capture node, busy, or ffmpeg is missing: try the next one.
            }
        }
        return "synthetic";
    }

    /// <summary>artifacts/demo when the engine runs from the build's artifacts folder, else ./demo.</summary>
    private static string DefaultOutput()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (dir.Name == "artifacts")
                return Path.Combine(dir.FullName, "demo");
        }
        return "demo";
    }
}
