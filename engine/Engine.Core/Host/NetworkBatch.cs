using System.Diagnostics;
using Engine.Contracts;
using Engine.Gpu;
using Engine.Graph;
using Microsoft.Extensions.Logging;

namespace Engine.Host;

/// <summary>
/// One compiled graph on the inference device and the networks it runs: a network of one stream
/// alone, or the same network of several streams batched (cross-stream batching). A batch of k
/// networks whose clips are (n, T, H, W, 4) is the plugin's network built for (k n, T, H, W, 4):
/// one copy of the weights, one submission per run. Each network owns the n rows of its slot of the
/// input and, in every output, its n-th of the rows (an output whose leading size does not scale with
/// the batch, such as an attention map of the first clip, cannot be split: such a network runs alone).
/// A run takes the clips of every network that is due. It waits for a network that is not due yet
/// only while that network's stream is alive (its clip buffer sampled a frame since the last run) and
/// no due clip has gone a sample stale waiting: streams in phase then share every run, while a slow or
/// dead stream holds a run back by at most one sampling interval of the others, or (dead) not at all.
/// A slot whose network is not due keeps its old clip and its rows are not handed out; the price is
/// work on stale slots when streams are due at different times.
/// </summary>
public sealed class NetworkBatch : IDisposable
{
    private readonly NetworkRunner?[] _networks;
    private readonly Tensor[] _slots;
    private readonly bool[] _inRun;
    // Each network's clip buffer's sample count at the last launch: more since then means its stream is alive.
    private readonly long[] _samplesAtLaunch;
    private Submission? _run;
    private long _submitTicks;

    private NetworkBatch(IReadOnlyList<NetworkRunner> networks, CompiledGraph graph, string input, string? attentionQuery)
    {
        _networks = [.. networks];
        Graph = graph;
        AttentionQuery = attentionQuery;
        var whole = graph.Tensor(input);
        var clip = networks[0].Clips.ClipShape;
        var bytes = (ulong)(clip.ElementCount * sizeof(float));
        _slots = [.. networks.Select((_, i) => new Tensor(whole.Buffer, whole.ByteOffset + (ulong)i * bytes, clip, DataType.Float32, $"{graph.Name} input slot {i}"))];
        _inRun = new bool[networks.Count];
        _samplesAtLaunch = new long[networks.Count];
        foreach (var network in networks)
            network.Attach(this);
    }

    public CompiledGraph Graph { get; }

    /// <summary>The graph input holding the attention query (only a network running alone shows attention).</summary>
    public string? AttentionQuery { get; }

    /// <summary>Networks (streams) the graph has slots for.</summary>
    public int Size => _networks.Length;

    public bool InFlight => _run is not null;

    /// <summary>Runs submitted and finished.</summary>
    public long Runs { get; private set; }

    /// <summary>
    /// Builds the graphs for <paramref name="networks"/> (every network of every stream): with
    /// <paramref name="batching"/>, networks with the same <see cref="NetworkRunner.BatchKey"/> share a
    /// batch when their network can be batched; every other network gets a graph of its own. A network
    /// whose plugin fails to build is disabled (its plugin's error says why) and gets no batch.
    /// </summary>
    public static List<NetworkBatch> Build(IEnumerable<NetworkRunner> networks, Device inference, CompileOptions compile, bool batching, ILogger logger)
    {
        var batches = new List<NetworkBatch>();
        var enabled = networks.Where(n => n.Plugin.Enabled);
        foreach (var members in batching ? enabled.GroupBy(n => n.BatchKey, StringComparer.Ordinal).Select(g => g.ToArray()) : enabled.Select(n => new[] { n }))
        {
            if (members.Length > 1 && Together(members, inference, compile, logger) is { } together)
            {
                batches.Add(together);
                continue;
            }
            foreach (var network in members.Where(n => n.Plugin.Enabled))
            {
                if (Alone(network, inference, compile) is { } alone)
                    batches.Add(alone);
            }
        }
        return batches;
    }

    /// <summary>A graph of <paramref name="network"/> alone; null when the plugin failed to build it (the plugin is then disabled).</summary>
    public static NetworkBatch? Alone(NetworkRunner network, Device inference, CompileOptions compile)
    {
        NetworkBatch? batch = null;
        network.Plugin.GuardBuild(() =>
        {
            using var builder = new NetworkBuilder(inference, network.Clips.ClipShape, network.Plugin.Shaders, Name(network), compile);
            network.Plugin.Plugin.Plugin.Build(network.Spec, builder);
            batch = new NetworkBatch([network], builder.Compile(), builder.InputName, builder.AttentionQuery);
        });
        return batch;
    }

    /// <summary>
    /// One graph for <paramref name="networks"/> (same plugin, model, parameters and clip shape), built
    /// by the first one's plugin for the whole batch; null, with the reason logged, when the network
    /// cannot be batched: it shows attention (one query per graph), its builder refuses a batch (a
    /// detector takes one frame), or an output does not scale with the batch. The plugin's building and
    /// the compilation run under the plugin's build limit: a build that does not return disables the
    /// plugin of every network in the group (they would build the same network alone).
    /// </summary>
    private static NetworkBatch? Together(NetworkRunner[] networks, Device inference, CompileOptions compile, ILogger logger)
    {
        var first = networks[0];
        var clip = first.Clips.ClipShape;
        var name = $"{Name(first)} x{networks.Length}";
        var plugin = first.Plugin.Plugin.Plugin;
        (CompiledGraph Graph, string Input)? built = null;
        string? refused = null;
        var returned = first.Plugin.GuardBuild(() =>
        {
            try
            {
                IReadOnlyDictionary<string, Shape> alone;
                using (var single = new NetworkBuilder(inference, clip, first.Plugin.Shaders, Name(first), compile))
                {
                    plugin.Build(first.Spec, single);
                    if (single.AttentionQuery is not null)
                        throw new EngineException("it shows attention for one query");
                    alone = single.OutputShapes();
                }
                var batched = new Shape([clip[0] * networks.Length, .. clip.Dims[1..]]);
                using var builder = new NetworkBuilder(inference, batched, first.Plugin.Shaders, name, compile);
                plugin.Build(first.Spec, builder);
                foreach (var (output, shape) in builder.OutputShapes())
                {
                    var one = alone[output];
                    if (shape[0] != one[0] * networks.Length || !shape.Dims[1..].SequenceEqual(one.Dims[1..]))
                        throw new EngineException($"output '{output}' is {shape} for the batch and {one} alone: it does not scale with the batch");
                }
                built = (builder.Compile(), builder.InputName);
            }
#pragma warning disable CA1031 // Any failure (the plugin's code included) only means: run the networks alone, where a real error disables the plugin.
            catch (Exception e)
#pragma warning restore CA1031
            {
                refused = e.Message;
            }
        });
        if (!returned)
        {
            foreach (var network in networks.Skip(1))
                network.Plugin.Disable(first.Plugin.Error!);
            return null;
        }
        if (built is not { } graph)
        {
            logger.LogInformation("{Network}: runs per stream, not batched: {Reason}", Name(first), refused);
            return null;
        }
        // The batch is made here, on the caller's thread, only once the guarded build has returned.
        var batch = new NetworkBatch(networks, graph.Graph, graph.Input, null);
        // Slots of streams whose clips are not yet ready are computed too: zeros, not stale memory.
        var input = batch.Graph.Tensor(graph.Input);
        input.Upload<float>(new float[input.ElementCount]);
        logger.LogInformation("{Network}: {Count} streams batched in one graph", Name(first), networks.Length);
        return batch;
    }

    private static string Name(NetworkRunner network) => $"{network.Plugin.Id}/{network.Spec.Id}";

    /// <summary>
    /// Launches a run if none is in flight and some network is due (<see cref="NetworkRunner.IsDue"/>;
    /// <paramref name="frame"/>: the frame a network running alone just sampled, null for a batch),
    /// taking the clip of every network that is due; <paramref name="around"/>, if given, runs each
    /// network's clip taking (e.g. to count its bytes for the network's stream).
    /// </summary>
    public bool TryLaunch(long? frame = null, Action<NetworkRunner, Action>? around = null)
    {
        if (InFlight)
            return false;
        var due = _networks.Select(n => n is not null && n.IsDue(frame)).ToArray();
        if (!due.Contains(true))
            return false;
        var waitFor = _networks.Where((n, i) => !due[i] && n is { Plugin.Enabled: true } && n.Clips.Samples > _samplesAtLaunch[i]);
        if (waitFor.Any() && !_networks.Where((n, i) => due[i] && n!.Clips.IsOverdue).Any())
            return false;
        for (var i = 0; i < _networks.Length; i++)
        {
            if (_networks[i] is not { } network)
                continue;
            _samplesAtLaunch[i] = network.Clips.Samples;
            if (!due[i])
                continue;
            var slot = _slots[i];
            if (around is null)
                network.TakeClip(slot);
            else
                around(network, () => network.TakeClip(slot));
            _inRun[i] = true;
        }
        _submitTicks = Stopwatch.GetTimestamp();
        _run = Graph.Submit();
        return true;
    }

    /// <summary>If the run in flight has finished, reads its outputs back once and hands each network in the run its rows.</summary>
    public void Poll()
    {
        if (_run is not { IsComplete: true })
            return;
        _run = null;
        Runs++;
        var seconds = Stopwatch.GetElapsedTime(_submitTicks).TotalSeconds;
        var outputs = NetworkRunner.ReadOutputs(Graph);
        for (var i = 0; i < _networks.Length; i++)
        {
            if (!_inRun[i])
                continue;
            _inRun[i] = false;
            _networks[i]?.Finish(Size == 1 ? outputs : outputs.ToDictionary(o => o.Key, o => Rows(o.Value, i)), seconds);
        }
    }

    /// <summary>Slot <paramref name="slot"/>'s share of a batch output: its rows of the leading axis.</summary>
    private OutputTensor Rows(OutputTensor output, int slot)
    {
        var rows = output.Shape[0] / Size;
        var length = output.Values.Length / Size;
        return new OutputTensor([rows, .. output.Shape.Skip(1)], output.Values.AsSpan(slot * length, length).ToArray());
    }

    /// <summary>A network leaves (its plugin is reconfigured or the host ends); the graph goes with the last one.</summary>
    internal void Leave(NetworkRunner network)
    {
        var slot = Array.IndexOf(_networks, network);
        if (slot < 0)
            return;
        _networks[slot] = null;
        _inRun[slot] = false;
        if (_networks.All(n => n is null))
            Dispose();
    }

    public void Dispose()
    {
        Array.Clear(_networks);
        Graph.Dispose();
    }
}
