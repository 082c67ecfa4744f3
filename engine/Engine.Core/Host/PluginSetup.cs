namespace Engine.Host;

/// <summary>
/// A plugin of one stream as the host configures it: the loaded plugin (each stream loads its own
/// instance, since plugins keep per-stream state such as a score history), its weight package (null:
/// the plugin.json default) and its own `name=value` parameters, applied after the settings file.
/// </summary>
public sealed record PluginSetup(LoadedPlugin Loaded, string? Model, IReadOnlyList<string> Parameters)
{
    /// <summary>
    /// The setup the command line gives: <see cref="LiveOptions.Model"/>, and those of the
    /// <see cref="LiveOptions.Parameters"/> whose name this plugin declares (one `--param` list serves every plugin).
    /// </summary>
    public static PluginSetup FromOptions(LoadedPlugin loaded, LiveOptions options)
    {
        var specs = loaded.Plugin.Parameters;
        return new PluginSetup(loaded, options.Model, [.. options.Parameters.Where(p => specs.Any(s => p.StartsWith(s.Name + "=", StringComparison.Ordinal)))]);
    }

    /// <summary>This setup with <paramref name="name"/> set to <paramref name="value"/> (replacing an earlier value of it).</summary>
    public PluginSetup With(string name, string value) =>
        this with { Parameters = [.. Parameters.Where(p => !p.StartsWith(name + "=", StringComparison.Ordinal)), $"{name}={value}"] };
}
