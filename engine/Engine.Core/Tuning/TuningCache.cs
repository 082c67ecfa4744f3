using System.Text.Json;
using Engine.Gpu;
using Microsoft.Extensions.Logging;

namespace Engine.Tuning;

/// <summary>
/// The tuner's choices for one device: a JSON file per device UUID and driver version beside the
/// pipeline cache (tuning-UUID-DRIVER.json; on a CPU device also a hash of the CPU model and thread
/// count, <see cref="FileName"/>), read when the device opens and written whole (merged with the file
/// on disk, a temporary file moved over the old one) whenever the tuner adds shapes. A file that cannot
/// be read, does not parse, or names another device, driver or driver build is ignored (<see cref="Ignored"/> says why, and it is
/// logged): every shape then runs today's rules until the file is tuned again. Besides each choice the
/// file keeps every candidate's median, so a user can see why a variant was picked. Thread-safe: graphs
/// of several networks may compile (and tune) at once.
/// </summary>
public sealed partial class TuningCache
{
    /// <summary>The format line of the file; another value is ignored as foreign.</summary>
    public const string Format = "nonlocal-engine tuning 1";

    private static readonly JsonSerializerOptions _json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        // CPU times are NaN where they were not measured (a GPU).
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // Keys read as written (`64->64`), not `\u003E`: a user reads this file to see why a variant was picked.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly Lock _lock = new();
    private readonly DeviceInfo _device;
    private readonly ILogger _logger;
    private readonly Dictionary<string, TuningEntry> _entries = [];

    private TuningCache(string? path, DeviceInfo device, TuningMode mode, ILogger logger)
    {
        (Path, _device, Mode, _logger) = (path, device, mode, logger);
    }

    /// <summary>The file (null: in memory only, as with <see cref="TuningMode.Off"/>).</summary>
    public string? Path { get; }

    public TuningMode Mode { get; }

    /// <summary>True when a compile tunes the shapes the cache lacks first (<see cref="TuningMode.TuneAtCompile"/>).</summary>
    public bool TuneAtCompile => Mode == TuningMode.TuneAtCompile;

    /// <summary>Why the file on disk was ignored (null when it was loaded, or there was none).</summary>
    public string? Ignored { get; private set; }

    /// <summary>
    /// The file of <paramref name="device"/>'s cache in <paramref name="directory"/>. On a CPU device
    /// (lavapipe) the UUID and driver version name the Mesa build, not the processor that runs the
    /// kernels, so the name also carries <see cref="HostKey"/>: a cache tuned on another CPU model or
    /// thread count is another file.
    /// </summary>
    public static string FileName(string directory, DeviceInfo device) =>
        System.IO.Path.Combine(directory, device.Type == Interop.VkPhysicalDeviceType.Cpu
            ? $"tuning-{device.DeviceUuid}-{device.DriverVersion:x8}-cpu{HostKey()}.json"
            : $"tuning-{device.DeviceUuid}-{device.DriverVersion:x8}.json");

    /// <summary>
    /// A short hash of what a CPU device's speed depends on besides the driver: the CPU model
    /// (/proc/cpuinfo "model name", else the architecture), and the worker threads (LP_NUM_THREADS, else
    /// the processor count).
    /// </summary>
    public static string HostKey()
    {
        var model = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
        try
        {
            if (File.Exists("/proc/cpuinfo")
                && File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) is { } line)
                model = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The architecture alone: a coarser key, never a wrong file.
        }
        var threads = Environment.GetEnvironmentVariable("LP_NUM_THREADS") is { Length: > 0 } lp ? lp : Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{model}\n{threads}"));
        return Convert.ToHexStringLower(hash, 0, 4);
    }

    /// <summary>
    /// The cache of <paramref name="device"/> in <paramref name="directory"/> (null, or <see cref="TuningMode.Off"/>:
    /// an empty cache in memory that reads and writes no file).
    /// </summary>
    public static TuningCache Open(string? directory, DeviceInfo device, TuningMode mode, ILogger logger)
    {
        var cache = new TuningCache(directory is null || mode == TuningMode.Off ? null : FileName(directory, device), device, mode, logger);
        if (cache.Path is { } path && File.Exists(path))
            cache.Load(path);
        return cache;
    }

    /// <summary>The entries by shape key.</summary>
    public IReadOnlyDictionary<string, TuningEntry> Entries
    {
        get
        {
            lock (_lock)
                return new Dictionary<string, TuningEntry>(_entries);
        }
    }

    /// <summary>The chosen variant by shape key (what <see cref="Graph.CompileOptions.Variants"/> takes).</summary>
    public IReadOnlyDictionary<string, string> Choices
    {
        get
        {
            lock (_lock)
                return _entries.ToDictionary(e => e.Key, e => e.Value.Choice);
        }
    }

    public bool Contains(string key)
    {
        lock (_lock)
            return _entries.ContainsKey(key);
    }

    /// <summary>Adds or replaces the entry of <paramref name="key"/> (in memory; <see cref="Save"/> writes the file).</summary>
    public void Set(string key, TuningEntry entry)
    {
        lock (_lock)
            _entries[key] = entry;
    }

    /// <summary>
    /// Writes the file whole, atomically; a failure is logged (the choices still apply in memory).
    /// Another process may have tuned other shapes into the file since it was read: the file is read
    /// again and merged (this cache's entries win) before the write, so their entries are kept.
    /// </summary>
    public void Save()
    {
        if (Path is not { } path)
            return;
        // One writer at a time in this process (graphs of several networks may tune at once); the
        // temporary file name is unique, so writers in other processes never share one.
        lock (_lock)
        {
            var merged = new Dictionary<string, TuningEntry>();
            if (File.Exists(path) && Read(path, out _) is { } onDisk)
            {
                foreach (var (key, entry) in onDisk)
                    merged[key] = entry;
            }
            foreach (var (key, entry) in _entries)
                merged[key] = entry;
            var file = new CacheFile(Format, _device.Name, _device.DeviceUuid, _device.DriverVersion, _device.DriverInfo,
                merged.OrderBy(e => e.Key, StringComparer.Ordinal).ToDictionary(e => e.Key, e => e.Value));
            var temp = $"{path}.{Guid.NewGuid():N}.tmp";
            try
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
                File.WriteAllText(temp, JsonSerializer.Serialize(file, _json));
                File.Move(temp, path, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.Unwritable(_logger, path, e.Message);
                try
                {
                    File.Delete(temp);
                }
                catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
                {
                    // Best effort: the write already failed and was logged.
                }
            }
        }
    }

    private void Load(string path)
    {
        if (Read(path, out var reason) is { } entries)
        {
            foreach (var (key, entry) in entries)
                _entries[key] = entry;
        }
        else
            Ignore(path, reason!);
    }

    /// <summary>The entries of the file at <paramref name="path"/>, or null and why it is not this device's readable cache.</summary>
    private Dictionary<string, TuningEntry>? Read(string path, out string? reason)
    {
        CacheFile? file;
        try
        {
            file = JsonSerializer.Deserialize<CacheFile>(File.ReadAllText(path), _json);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            reason = $"unreadable: {e.Message}";
            return null;
        }
        reason = file is null || file.Format != Format || file.Shapes is null
            ? $"not a tuning cache ({Format})"
            : file.DeviceUuid != _device.DeviceUuid || file.DriverVersion != _device.DriverVersion
            ? $"tuned on another device or driver (UUID {file.DeviceUuid}, driver {file.DriverVersion:x8}; this is {_device.DeviceUuid}, {_device.DriverVersion:x8})"
            : file.Device != _device.Name || file.DriverInfo != _device.DriverInfo
            ? $"tuned on another device or driver ('{file.Device}', driver '{file.DriverInfo}'; this is '{_device.Name}', '{_device.DriverInfo}')"
            : file.Shapes.Any(s => s.Value is null || string.IsNullOrEmpty(s.Value.Choice) || s.Value.Candidates is null)
            ? "an entry without a choice or candidates"
            : null;
        return reason is null ? file!.Shapes : null;
    }

    private void Ignore(string path, string reason)
    {
        Ignored = reason;
        Log.Ignored(_logger, path, reason);
    }

    private sealed record CacheFile(string Format, string Device, string DeviceUuid, uint DriverVersion, string DriverInfo,
        Dictionary<string, TuningEntry> Shapes);

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Warning, "Tuning cache {Path} ignored, shapes run today's rules: {Reason}")]
        public static partial void Ignored(ILogger logger, string path, string reason);

        [LoggerMessage(LogLevel.Warning, "Tuning cache {Path} could not be written: {Reason}")]
        public static partial void Unwritable(ILogger logger, string path, string reason);
    }
}
