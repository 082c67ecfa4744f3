using Engine.Contracts;

namespace Engine.Host;

/// <summary>A plugin whose assembly is loaded: its manifest, its instance and its load context (unloaded on dispose).</summary>
public sealed class LoadedPlugin(PluginManifest manifest, IPlugin plugin, PluginLoadContext? context) : IDisposable
{
    public PluginManifest Manifest { get; } = manifest;

    public IPlugin Plugin { get; } = plugin;

    public string Id => Manifest.Id;

    public void Dispose() => context?.Unload();
}
