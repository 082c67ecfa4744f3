namespace Engine.Contracts;

/// <summary>
/// What the host gives a plugin to configure itself: validated parameters, the model package chosen
/// (--model, else the plugin.json default; null when neither), the plugin's own folder (for its shaders)
/// and a log.
/// </summary>
public sealed record PluginContext(ParameterValues Parameters, ModelInfo? Model, string Directory, Action<string> Log);
