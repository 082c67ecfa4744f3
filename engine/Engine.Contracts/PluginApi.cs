namespace Engine.Contracts;

/// <summary>The plugin API version the host implements: this assembly's version.</summary>
public static class PluginApi
{
    public static SemanticVersion Version { get; } = FromAssembly();

    private static SemanticVersion FromAssembly()
    {
        var v = typeof(PluginApi).Assembly.GetName().Version ?? new Version(0, 0, 0);
        return new SemanticVersion(v.Major, v.Minor, Math.Max(v.Build, 0));
    }
}
