namespace Engine.Contracts;

/// <summary>
/// A plugin describes; the host schedules. The host calls, on its own threads and never concurrently:
/// <see cref="Configure"/> once parameters and model are known (and again when a parameter changes),
/// <see cref="Build"/> per network, then <see cref="Interpret"/> per finished run. A plugin never calls
/// Vulkan, never starts threads and never draws pixels; an exception from any of these disables it.
/// </summary>
public interface IPlugin
{
    IReadOnlyList<ParameterSpec> Parameters { get; }

    IReadOnlyList<NetworkSpec> Configure(PluginContext context);

    void Build(NetworkSpec spec, INetworkBuilder network);

    DisplayMetadata Interpret(NetworkSpec spec, NetworkResult result);
}
