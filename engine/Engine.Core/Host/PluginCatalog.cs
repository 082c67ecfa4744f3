using Engine.Contracts;
using Microsoft.Extensions.Logging;

namespace Engine.Host;

/// <summary>
/// Finds plugins: every folder holding a plugin.json directly under each search path (or the path
/// itself). Manifests are checked before anything loads; <see cref="Load"/> loads one plugin into its
/// own collectible context and instantiates its entry type.
/// </summary>
public sealed class PluginCatalog
{
    private readonly List<PluginEntry> _entries = [];
    private readonly ILogger _logger;

    public PluginCatalog(IEnumerable<string> searchPaths, ILogger logger, SemanticVersion? hostApi = null)
    {
        _logger = logger;
        var api = hostApi ?? PluginApi.Version;
        SearchPaths = [.. searchPaths.Select(Path.GetFullPath).Distinct()];
        foreach (var root in SearchPaths)
        {
            if (!Directory.Exists(root))
                continue;
            IEnumerable<string> folders = File.Exists(Path.Combine(root, PluginManifest.FileName)) ? [root]
                : Directory.GetDirectories(root).Where(d => File.Exists(Path.Combine(d, PluginManifest.FileName))).Order(StringComparer.Ordinal);
            foreach (var folder in folders)
            {
                try
                {
                    var manifest = PluginManifest.Read(folder, api);
                    if (_entries.FirstOrDefault(e => e.Manifest?.Id == manifest.Id) is { } first)
                        _entries.Add(new PluginEntry(folder, manifest, PluginStatus.Skipped, $"id '{manifest.Id}' is already provided by {first.Directory}"));
                    else
                        _entries.Add(new PluginEntry(folder, manifest, PluginStatus.Found, null));
                }
                catch (EngineException e)
                {
                    _logger.LogWarning("plugin in {Folder} skipped: {Reason}", folder, e.Message);
                    _entries.Add(new PluginEntry(folder, null, PluginStatus.Skipped, e.Message));
                }
            }
        }
    }

    public IReadOnlyList<string> SearchPaths { get; }

    public IReadOnlyList<PluginEntry> Entries => _entries;

    /// <summary>$ENGINE_PLUGIN_PATH (colon-separated), then `artifacts/plugins` above the running binary.</summary>
    public static IReadOnlyList<string> DefaultSearchPaths()
    {
        var paths = new List<string>();
        if (Environment.GetEnvironmentVariable("ENGINE_PLUGIN_PATH") is { Length: > 0 } env)
            paths.AddRange(env.Split(':', StringSplitOptions.RemoveEmptyEntries));
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (dir.Name == "artifacts")
            {
                paths.Add(Path.Combine(dir.FullName, "plugins"));
                break;
            }
        }
        return paths;
    }

    /// <summary>Loads plugin <paramref name="id"/>; an unknown, skipped or broken plugin is an error naming the reason.</summary>
    public LoadedPlugin Load(string id)
    {
        var index = _entries.FindIndex(e => e.Id == id && e.Status != PluginStatus.Skipped);
        if (index < 0)
        {
            var skipped = _entries.FirstOrDefault(e => e.Id == id);
            throw new EngineException(skipped is not null
                ? $"plugin '{id}' was skipped: {skipped.Reason}"
                : $"no plugin '{id}' in {string.Join(", ", SearchPaths)} (found: {string.Join(", ", _entries.Select(e => e.Id).DefaultIfEmpty("none"))}); use --plugin-path DIR.");
        }
        var entry = _entries[index];
        var manifest = entry.Manifest!;
        var context = new PluginLoadContext(manifest.AssemblyPath);
        try
        {
            var assembly = context.LoadFromAssemblyPath(manifest.AssemblyPath);
            var type = assembly.GetType(manifest.TypeName)
                ?? throw new EngineException($"plugin '{id}': {Path.GetFileName(manifest.AssemblyPath)} has no type {manifest.TypeName}.");
            if (!typeof(IPlugin).IsAssignableFrom(type))
                throw new EngineException($"plugin '{id}': {manifest.TypeName} does not implement {typeof(IPlugin).FullName} (built against another contracts assembly?).");
            var instance = (IPlugin)(Activator.CreateInstance(type)
                ?? throw new EngineException($"plugin '{id}': cannot create {manifest.TypeName}."));
            _entries[index] = entry with { Status = PluginStatus.Loaded };
            return new LoadedPlugin(manifest, instance, context);
        }
        catch (Exception e) when (e is not EngineException)
        {
            context.Unload();
            var reason = (e as System.Reflection.TargetInvocationException)?.InnerException?.Message ?? e.Message;
            _entries[index] = entry with { Status = PluginStatus.Skipped, Reason = reason };
            throw new EngineException($"plugin '{id}' failed to load: {reason}");
        }
        catch
        {
            context.Unload();
            throw;
        }
    }
}
