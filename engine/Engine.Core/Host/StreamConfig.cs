using Engine.Video;

namespace Engine.Host;

/// <summary>A stream in a `--config` file: its id (default: the source text), its source and source options, and its plugins.</summary>
public sealed record StreamConfig(string Id, string Source, SourceOptions Options, IReadOnlyList<StreamPluginConfig> Plugins);
