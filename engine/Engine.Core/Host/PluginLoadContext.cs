using System.Reflection;
using System.Runtime.Loader;

namespace Engine.Host;

/// <summary>
/// A collectible load context per plugin: the plugin's own dependencies resolve from its folder, and
/// the contracts assembly always resolves to the host's copy, so both sides see the same types.
/// </summary>
public sealed class PluginLoadContext(string assemblyPath) : AssemblyLoadContext($"plugin {Path.GetFileNameWithoutExtension(assemblyPath)}", isCollectible: true)
{
    private readonly AssemblyDependencyResolver _resolver = new(assemblyPath);

    protected override Assembly? Load(AssemblyName name)
    {
        if (name.Name == typeof(Contracts.IPlugin).Assembly.GetName().Name)
            return null;
        var path = _resolver.ResolveAssemblyToPath(name);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
