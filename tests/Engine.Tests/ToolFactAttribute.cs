namespace Engine.Tests;

/// <summary>A fact that needs external programs (ffmpeg, Xvfb...): skipped, with the reason, only when one is genuinely absent from PATH.</summary>
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(params string[] tools)
    {
        var missing = tools.Where(t => !TestMedia.OnPath(t)).ToArray();
        if (missing.Length > 0)
            Skip = $"not installed: {string.Join(", ", missing)} (./engine.sh installs them)";
    }
}
