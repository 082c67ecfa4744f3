namespace Engine.Host;

public enum PluginStatus
{
    /// <summary>The manifest is valid; the assembly has not been loaded.</summary>
    Found,
    Loaded,
    /// <summary>Not usable; <see cref="PluginEntry.Reason"/> says why.</summary>
    Skipped,
}
