using System.Text.Json;
using Engine.Gpu;
using Microsoft.Extensions.Logging;

namespace Engine.Tuning;

/// <summary>
/// The tuner's choices for one device: a JSON file per device UUID and driver version beside the
/// pipeline cache (tuning-UUID-DRIVER.json), read when the device opens and written whole (a temporary
/// file moved over the old one) whenever the tuner adds shapes. A file that cannot be read, does not
/// parse, or names another device or driver is ignored (<see cref="Ignored"/> says why, and it is
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

    /// <summary>The file of <paramref name="device"/>'s cache in <paramref name="directory"/>.</summary>
    public static string FileName(string directory, DeviceInfo device) =>
        System.IO.Path.Combine(directory, $"tuning-{device.DeviceUuid}-{device.DriverVersion:x8}.json");

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

    /// <summary>Writes the file whole, atomically; a failure is logged (the choices still apply in memory).</summary>
    public void Save()
    {
        if (Path is not { } path)
            return;
        // One writer at a time in this process (graphs of several networks may tune at once); the
        // temporary file is per process, so another process writing the same cache never shares it.
        lock (_lock)
        {
            var file = new CacheFile(Format, _device.Name, _device.DeviceUuid, _device.DriverVersion, _device.DriverInfo,
                _entries.OrderBy(e => e.Key, StringComparer.Ordinal).ToDictionary(e => e.Key, e => e.Value));
            try
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
                var temp = $"{path}.{Environment.ProcessId}.tmp";
                File.WriteAllText(temp, JsonSerializer.Serialize(file, _json));
                File.Move(temp, path, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.Unwritable(_logger, path, e.Message);
            }
        }
    }

    private void Load(string path)
    {
        CacheFile? file;
        try
        {
            file = JsonSerializer.Deserialize<CacheFile>(File.ReadAllText(path), _json);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            Ignore(path, $"unreadable: {e.Message}");
            return;
        }
        if (file is null || file.Format != Format || file.Shapes is null)
            Ignore(path, $"not a tuning cache ({Format})");
        else if (file.DeviceUuid != _device.DeviceUuid || file.DriverVersion != _device.DriverVersion)
            Ignore(path, $"tuned on another device or driver (UUID {file.DeviceUuid}, driver {file.DriverVersion:x8}; this is {_device.DeviceUuid}, {_device.DriverVersion:x8})");
        else if (file.Shapes.Any(s => s.Value is null || string.IsNullOrEmpty(s.Value.Choice) || s.Value.Candidates is null))
            Ignore(path, "an entry without a choice or candidates");
        else
        {
            foreach (var (key, entry) in file.Shapes)
                _entries[key] = entry;
        }
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
