using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engine.Gpu;

/// <summary>How to open a device from an <see cref="Instance"/>. A value: it can be logged, compared and reused.</summary>
public sealed record DeviceOptions
{
    /// <summary>Index into the enumerated physical devices; null picks the most capable one.</summary>
    public int? DeviceIndex { get; init; }

    /// <summary>Folder of the on-disk pipeline cache; null disables it.</summary>
    public string? PipelineCacheDirectory { get; init; } = DefaultCacheDirectory();

    /// <summary>
    /// Whether graphs on this device run the tuner's choices from its cache file beside the pipeline
    /// cache (<see cref="Tuning.TuningCache"/>), and whether a compile tunes missing shapes first. Off by
    /// default (a library caller opts in; the CLI reads the cache unless `--no-tuning`).
    /// </summary>
    public Tuning.TuningMode Tuning { get; init; }

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Enable VK_KHR_swapchain, for a device that presents to a window.</summary>
    public bool Presentation { get; init; }

    /// <summary>$ENGINE_CACHE_DIR, else $XDG_CACHE_HOME/nonlocal-engine, else ~/.cache/nonlocal-engine.</summary>
    public static string DefaultCacheDirectory()
    {
        var explicitDir = Environment.GetEnvironmentVariable("ENGINE_CACHE_DIR");
        if (!string.IsNullOrEmpty(explicitDir))
            return explicitDir;
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = string.IsNullOrEmpty(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
            : xdg;
        return Path.Combine(root, "nonlocal-engine");
    }
}
