using System.Diagnostics;
using System.Security.Cryptography;
using Engine.Gpu;
using Engine.Ops;
using Microsoft.Extensions.Logging;

namespace Engine.Host;

/// <summary>
/// A plugin's GLSL, compiled at load (libshaderc, glslc fallback) into pipelines on the device its
/// networks run on; with watching on, reloaded when a file in the shader folder changes. A watcher
/// thread notices changes (FileSystemWatcher wakes it, a scan of content hashes every
/// <see cref="PollInterval"/> is the fallback where notifications do not arrive), waits until the
/// folder has been quiet for <see cref="Debounce"/> (editors write in bursts), then recompiles every
/// shader in use, since an include may have changed. A shader that compiles replaces its
/// <see cref="PluginShader.Pipeline"/>, which the networks pick up at their next frame boundary; one
/// that fails keeps its old pipeline running and its first error, as `file:line: message` relative
/// to the plugin folder, becomes <see cref="Error"/> (logged once per attempt) until a later edit compiles.
/// </summary>
public sealed class PluginShaders : IDisposable
{
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    private readonly Device _device;
    private readonly string _pluginDirectory;
    private readonly ILogger _logger;
    private readonly Dictionary<string, PluginShader> _shaders = [];
    private readonly FileSystemWatcher? _watcher;
    private readonly Thread? _thread;
    private readonly AutoResetEvent _wake = new(false);
    private volatile bool _stopping;
    private volatile string? _error;
    private int _reloads;

    /// <summary>
    /// Shaders of <paramref name="directory"/> (null: the plugin has none) for networks on
    /// <paramref name="device"/>; errors name files relative to <paramref name="pluginDirectory"/>;
    /// <paramref name="watch"/> starts the watcher.
    /// </summary>
    public PluginShaders(Device device, string? directory, string pluginDirectory, bool watch, ILogger logger)
    {
        _device = device;
        Directory = directory is null ? null : Path.GetFullPath(directory);
        _pluginDirectory = pluginDirectory;
        _logger = logger;
        if (!watch || Directory is null)
            return;
        try
        {
            _watcher = new FileSystemWatcher(Directory) { IncludeSubdirectories = true };
            _watcher.Changed += (_, _) => _wake.Set();
            _watcher.Created += (_, _) => _wake.Set();
            _watcher.Renamed += (_, _) => _wake.Set();
            _watcher.Deleted += (_, _) => _wake.Set();
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
        {
            // Out of inotify watches, or a file system without notifications: polling alone still works.
            _logger.LogWarning("{Directory}: no file notifications ({Message}); polling every {Interval} ms", Directory, e.Message, PollInterval.TotalMilliseconds);
            _watcher?.Dispose();
            _watcher = null;
        }
        var initial = Scan();
        _thread = new Thread(() => Watch(initial)) { IsBackground = true, Name = $"shader watcher {Directory}" };
        _thread.Start();
    }

    /// <summary>The shader folder (full path), or null.</summary>
    public string? Directory { get; }

    public bool Watching => _thread is not null;

    /// <summary>The first error of the newest reload attempt (`shaders/x.comp:12: error: ...`), or null when every shader compiled.</summary>
    public string? Error => _error;

    /// <summary>Reload attempts finished (successful or not): tests and tools wait on it.</summary>
    public int Reloads => Volatile.Read(ref _reloads);

    /// <summary>
    /// The shader <paramref name="file"/> (relative to the shader folder), compiled on first use. A
    /// compile error here is thrown: at load, a plugin whose shader does not compile cannot run.
    /// </summary>
    public PluginShader Get(string file)
    {
        if (Directory is null)
            throw new EngineException($"kernel {file}: the plugin declares no shader folder in plugin.json.");
        var path = Path.GetFullPath(Path.Combine(Directory, file));
        if (!path.StartsWith(Directory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new EngineException($"kernel {file} lies outside the plugin's shader folder {Directory}.");
        lock (_shaders)
        {
            if (!_shaders.TryGetValue(path, out var shader))
            {
                shader = new PluginShader(path, CreatePipeline(path));
                _shaders[path] = shader;
            }
            return shader;
        }
    }

    private Pipeline CreatePipeline(string path) =>
        _device.Pipeline($"plugin/{Path.GetFileNameWithoutExtension(path)}", ShaderCompiler.CompileFile(path));

    private void Watch(Dictionary<string, string> seen)
    {
        long? changedAt = null;
        while (!_stopping)
        {
            _wake.WaitOne(changedAt is null ? PollInterval : Debounce);
            if (_stopping)
                break;
            var now = Scan();
            if (!now.OrderBy(p => p.Key, StringComparer.Ordinal).SequenceEqual(seen.OrderBy(p => p.Key, StringComparer.Ordinal)))
            {
                seen = now;
                changedAt = Stopwatch.GetTimestamp();
                continue;
            }
            if (changedAt is { } t && Stopwatch.GetElapsedTime(t) >= Debounce)
            {
                changedAt = null;
                Reload();
            }
        }
    }

    /// <summary>Every file of the shader folder with a hash of its content (timestamps can be too coarse to see a quick second save).</summary>
    private Dictionary<string, string> Scan()
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!System.IO.Directory.Exists(Directory))
            return files;
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory!, "*", SearchOption.AllDirectories))
        {
            try
            {
                files[file] = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                files[file] = "unreadable"; // being written: the next scan sees it settle
            }
        }
        return files;
    }

    private void Reload()
    {
        PluginShader[] shaders;
        lock (_shaders)
            shaders = [.. _shaders.Values];
        string? error = null;
        var swapped = 0;
        foreach (var shader in shaders)
        {
            try
            {
                var pipeline = CreatePipeline(shader.Path);
                var old = shader.Pipeline;
                if (pipeline.Layout.Bindings.FirstOrDefault(b => b.Binding >= shader.Slots) is { } extra)
                {
                    throw new EngineException($"binding {extra.Binding} ('{extra.Name}') is new; its kernels bind 0..{shader.Slots - 1} " +
                        "(restart with the plugin's Build binding it to change a kernel's interface)");
                }
                if (pipeline != old)
                {
                    shader.Pipeline = pipeline;
                    swapped++;
                }
            }
            catch (EngineException e)
            {
                // Reflection and pipeline errors carry no line: name the file the same way.
                var message = e is ShaderCompileException ? e.Message : $"{shader.Path}:0: error: {e.Message}";
                _logger.LogError("{Message}", message);
                error ??= Relative(message);
            }
        }
        _error = error;
        if (error is null && swapped > 0)
            _logger.LogInformation("{Directory}: reloaded {Count} shader(s)", Directory, swapped);
        Interlocked.Increment(ref _reloads);
    }

    private string Relative(string message) =>
        message.Replace(_pluginDirectory.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, "", StringComparison.Ordinal);

    public void Dispose()
    {
        _stopping = true;
        _wake.Set();
        _thread?.Join();
        _watcher?.Dispose();
        _wake.Dispose();
    }
}
