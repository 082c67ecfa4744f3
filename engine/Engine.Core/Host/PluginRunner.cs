using System.Globalization;
using Engine.Contracts;
using Engine.Gpu;
using Engine.Models;
using Microsoft.Extensions.Logging;

namespace Engine.Host;

/// <summary>
/// A loaded plugin of one stream: configures it and makes a clip buffer per network it declares, and
/// guards every call into plugin code: the first exception disables the plugin (its error is kept for
/// the overlay and logged) while the host runs on. Its networks' graphs are built by the host
/// (<see cref="NetworkBatch.Build"/>), alone or batched with the same network of other streams. Its
/// shaders are compiled on the inference device and, with <see cref="LiveOptions.WatchShaders"/>,
/// reloaded when edited: each network records the new pipelines at the first frame boundary where no
/// run of it is in flight.
/// </summary>
public sealed class PluginRunner : IDisposable
{
    private readonly ILogger _logger;
    private readonly bool _watchShaders;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _buildTimeout;
    private readonly List<NetworkRunner> _networks = [];

    public PluginRunner(PluginSetup setup, Device display, Device inference, int width, int height, LiveOptions options, ILogger logger)
    {
        Setup = setup;
        _logger = logger;
        _watchShaders = options.WatchShaders;
        _timeout = options.PluginTimeout;
        _buildTimeout = options.PluginBuildTimeout;
        var plugin = setup.Loaded;
        Shaders = new PluginShaders(inference, plugin.Manifest.ShaderDirectory, plugin.Manifest.Directory, options.WatchShaders, logger);
        Guard(() => "configure", _buildTimeout, () =>
        {
            var specs = plugin.Plugin.Parameters;
            Values = PluginSettings.Resolve(plugin.Id, specs, options.SettingsFile, setup.Parameters);
            var modelPath = setup.Model ?? plugin.Manifest.DefaultModel;
            var model = modelPath is null ? null : PackageMetadata.Read(modelPath).ToModelInfo();
            var context = new PluginContext(Values, model, plugin.Manifest.Directory, message => logger.LogInformation("{Plugin}: {Message}", plugin.Id, message));
            // Networks of two streams can share one batched graph when they are the same plugin with the
            // same model and parameter values (so Configure and Build give the same network) and clip shape.
            var configuration = $"{plugin.Id}|{modelPath}|{string.Join(";", Values.All.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}"))}";
            foreach (var spec in plugin.Plugin.Configure(context))
            {
                var clips = new Video.ClipBuffer(display, spec.Input, width, height, options.Hop);
                _networks.Add(new NetworkRunner(this, spec, clips, $"{configuration}|{spec.Id}|{clips.ClipShape}"));
            }
        });
    }

    public PluginSetup Setup { get; }

    public LoadedPlugin Plugin => Setup.Loaded;

    public string Id => Plugin.Id;

    /// <summary>The parameter values the plugin was configured with (empty if configuring failed).</summary>
    public ParameterValues Values { get; private set; } = new(new Dictionary<string, string>());

    public IReadOnlyList<NetworkRunner> Networks => _networks;

    public PluginShaders Shaders { get; }

    /// <summary>Why the plugin was disabled (null while it runs).</summary>
    public string? Error { get; private set; }

    public bool Enabled => Error is null;

    /// <summary>
    /// Polls every network for finished runs and interprets them. Polling the batch (readback, hand-out
    /// to other streams' networks) is host work on the loop thread, its errors the engine's; only the
    /// plugin's Interpret is guarded.
    /// </summary>
    public void Poll()
    {
        foreach (var network in _networks)
        {
            if (!Enabled)
                return;
            network.Poll(result =>
            {
                DisplayMetadata? metadata = null;
                return Guard(() => "interpret", _timeout, () => metadata = Plugin.Plugin.Interpret(network.Spec, result)) ? metadata : null;
            });
        }
    }

    /// <summary>
    /// Swaps reloaded shaders into idle networks, then launches runs of networks that run alone whose
    /// cadence fires (host code: its errors are engine errors, not the plugin's); batched networks are
    /// launched by the host once every stream has had its frame.
    /// </summary>
    public void Launch(long frame)
    {
        if (!Enabled)
            return;
        foreach (var network in _networks)
        {
            // A reloaded shader is the plugin's code: if its new pipeline cannot be recorded, the plugin is
            // disabled. Without --watch-shaders nothing reloads, so the graph is not asked per frame.
            if (_watchShaders && network.Batch is { InFlight: false } batch && !Guard(() => "shader reload", _timeout, () =>
            {
                if (batch.Graph.Refresh())
                    _logger.LogInformation("{Plugin}/{Network}: recorded with the reloaded shaders", Id, network.Spec.Id);
            }))
                return;
            network.TryLaunch(frame);
        }
    }

    /// <summary>
    /// Moves the attention query of every network that shows one to (<paramref name="x"/>, <paramref name="y"/>),
    /// fractions of the frame, from the next run on; true when some network has a query.
    /// </summary>
    public bool MoveQuery(double x, double y)
    {
        var moved = false;
        foreach (var network in _networks)
            moved |= network.MoveQuery(x, y);
        return Enabled && moved;
    }

    /// <summary>Runs <paramref name="build"/> (the plugin building a network, and its compilation) guarded as the stage "build".</summary>
    internal bool GuardBuild(Action build) => Guard(() => "build", _buildTimeout, build);

    /// <summary>Disables the plugin for <paramref name="error"/>, found by the host (the same network of another stream failed to build).</summary>
    internal void Disable(string error)
    {
        Error = error;
        _logger.LogError("plugin {Plugin} disabled: {Error}", Id, Error);
    }

    /// <summary>
    /// Runs plugin code on a pool thread and waits at most <paramref name="limit"/>. A call that does not
    /// return by then is abandoned (a thread cannot be stopped from outside; a plugin that hangs keeps
    /// its thread, and what it holds, until the process ends) and the plugin disabled, so the loop
    /// presents on. Calls never overlap: the loop waits for each.
    /// </summary>
    private bool Guard(Func<string> stage, TimeSpan limit, Action action)
    {
        try
        {
            var call = Task.Run(action);
            if (Task.WaitAny([call], limit) < 0)
            {
                Error = string.Create(CultureInfo.InvariantCulture, $"{stage()}: did not return within {limit.TotalSeconds:0.#} s");
                _logger.LogError("plugin {Plugin} disabled: {Error}; its call is abandoned", Id, Error);
                return false;
            }
            call.GetAwaiter().GetResult();
            return true;
        }
#pragma warning disable CA1031 // A plugin may throw anything; the host must survive it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            var message = e is EngineException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            Error = $"{stage()}: {message}";
            _logger.LogError(e, "plugin {Plugin} disabled ({Stage}): {Message}", Id, stage(), message);
            return false;
        }
    }

    /// <summary>The plugin's status for the outside world (<see cref="StreamPluginStatus"/>).</summary>
    public StreamPluginStatus Status() => new(Id, Enabled, Error, Plugin.Plugin.Parameters, Values.All);

    public void Dispose()
    {
        foreach (var network in _networks)
            network.Dispose();
        _networks.Clear();
        Shaders.Dispose();
    }
}
