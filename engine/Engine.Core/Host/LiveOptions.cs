namespace Engine.Host;

/// <summary>How a live session runs: when it stops, how clips hop, and per-plugin settings. A value.</summary>
public sealed record LiveOptions
{
    /// <summary>Stop after presenting this many frames (null: no limit).</summary>
    public long? Frames { get; init; }

    /// <summary>Stop after this many predictions reached the presenters (null: no limit); a bound that does not depend on the machine's speed.</summary>
    public long? Predictions { get; init; }

    /// <summary>Stop after this long (null: no limit).</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>New sampled frames between two clips of a node (the ClipBuffer hop h).</summary>
    public int Hop { get; init; } = 1;

    /// <summary>Model package for plugins that take one (overrides the plugin.json default).</summary>
    public string? Model { get; init; }

    /// <summary>JSON settings file with per-plugin parameter values.</summary>
    public string? SettingsFile { get; init; }

    /// <summary>`name=value` parameter overrides (applied to every plugin that declares the name).</summary>
    public IReadOnlyList<string> Parameters { get; init; } = [];

    /// <summary>Recompile plugin shaders when their files change and swap them in at a frame boundary (`--watch-shaders`).</summary>
    public bool WatchShaders { get; init; }

    /// <summary>
    /// The longest a plugin call made while frames flow (interpret, shader reload) may take before the
    /// host abandons it and disables the plugin (a parameter change rebuilds: <see cref="PluginBuildTimeout"/>). The loop stalls this long, once, when a
    /// plugin hangs. These calls work on a finished run's outputs or record an already compiled graph,
    /// so 10 s is far above them even on a loaded machine, and short enough to notice once.
    /// </summary>
    public TimeSpan PluginTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The same limit for configuring and building a plugin's networks: before the first frame, and when
    /// a parameter change rebuilds the plugin at a frame boundary, on the loop (that pass stalls for the
    /// rebuild). Builds read and upload weights and compile pipelines, which takes seconds on a loaded
    /// machine (docs/bench-log.md, 2026-12-07, "Plugin build times"), and real checkpoints are larger.
    /// </summary>
    public TimeSpan PluginBuildTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Stop with an error when a source that says it is live has delivered nothing for this long (a hung
    /// source). Sources that are connecting or reconnecting are waited for without limit: they retry on
    /// their own, forever unless <see cref="Video.SourceOptions.MaxReconnects"/> is set.
    /// </summary>
    public TimeSpan SourceTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How plugin networks store their weights (`--precision`, <see cref="Graph.CompileOptions.WeightStorage"/>).</summary>
    public Gpu.DataType WeightStorage { get; init; } = Gpu.DataType.Float32;

    /// <summary>The options every plugin network compiles with.</summary>
    public Graph.CompileOptions Compile => new() { WeightStorage = WeightStorage };
}
