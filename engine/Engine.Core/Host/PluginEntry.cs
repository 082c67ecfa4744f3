namespace Engine.Host;

/// <summary>One plugin folder the catalog looked at: its manifest (when valid), status and the reason it was skipped.</summary>
public sealed record PluginEntry(string Directory, PluginManifest? Manifest, PluginStatus Status, string? Reason)
{
    public string Id => Manifest?.Id ?? Path.GetFileName(Directory);
}
