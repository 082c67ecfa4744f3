namespace Engine.Host;

/// <summary>
/// A plugin of a stream in a `--config` file: its id, its weight package (null: the plugin's default)
/// and parameter values as text; <see cref="Key"/> is where it stands in the file (e.g.
/// `streams[1].plugins[0]`), for errors about it found later (an unknown parameter).
/// </summary>
public sealed record StreamPluginConfig(string Id, string? Model, IReadOnlyDictionary<string, string> Parameters, string Key);
