using Engine.Contracts;
using Engine.Gpu;
using Engine.Graph;
using Engine.Graph.Nodes;
using Engine.Video;

namespace Engine.Host;

/// <summary>
/// One plugin network of one stream: its clip buffer on the display device, the batch whose compiled
/// graph runs it on the inference device (<see cref="NetworkBatch"/>: its own graph, or one shared with
/// the same network of other streams), and its scheduling state: launched when its cadence fires and a
/// clip is ready, at most one run of it in flight; its newest finished result, waiting to be drawn. A
/// moved attention query is written to the graph's query input before the next launch: no recompile,
/// no upload of weights.
/// </summary>
public sealed class NetworkRunner : IDisposable
{
    private long _launchedAtFrame = long.MinValue;
    private (long Frame, long Ticks) _runClip;
    private (IReadOnlyDictionary<string, OutputTensor> Outputs, double Seconds)? _finished;
    private float[]? _movedQuery;

    /// <summary>
    /// <paramref name="plugin"/>'s network <paramref name="spec"/>, fed by <paramref name="clips"/>;
    /// <paramref name="batchKey"/> is equal for networks of other streams that give the same graph
    /// (same plugin, model, parameter values, network and clip shape).
    /// </summary>
    public NetworkRunner(PluginRunner plugin, NetworkSpec spec, ClipBuffer clips, string batchKey)
    {
        Plugin = plugin;
        Spec = spec;
        Clips = clips;
        BatchKey = batchKey;
    }

    public PluginRunner Plugin { get; }

    public NetworkSpec Spec { get; }

    public ClipBuffer Clips { get; }

    public string BatchKey { get; }

    /// <summary>The batch that runs this network (null until the host built it, or when building failed and the plugin was disabled).</summary>
    public NetworkBatch? Batch { get; private set; }

    public CompiledGraph Graph => Batch?.Graph ?? throw new EngineException($"{Plugin.Id}/{Spec.Id}: the network was not built.");

    /// <summary>The graph input holding the attention query (null: the network shows no attention).</summary>
    public string? AttentionQuery => Batch?.AttentionQuery;

    /// <summary>True while a run holding this network's clip is in flight.</summary>
    public bool InFlight { get; internal set; }

    /// <summary>The newest finished result: its metadata, the newest frame of its clip and that frame's capture time.</summary>
    public (DisplayMetadata Metadata, long Frame, long CaptureTicks)? Latest { get; private set; }

    /// <summary>True from the moment a new result is read back until it has been drawn once.</summary>
    public bool LatestUndrawn { get; set; }

    public long Runs { get; private set; }

    public double InferenceSecondsTotal { get; private set; }

    /// <summary>Seconds from submitting the newest finished run to the frame loop finding it done.</summary>
    public double LastInferenceSeconds { get; private set; }

    internal void Attach(NetworkBatch batch) => Batch = batch;

    /// <summary>
    /// Whether a run of this network is due: its plugin runs, none of its runs is in flight, a clip is
    /// ready and the cadence fires. With <paramref name="frame"/>, also that the clip's newest frame is
    /// the one just sampled: a network running alone that launched on a later frame would start the
    /// latency clock up to a sampling interval before the run, for a clip no fresher.
    /// </summary>
    internal bool IsDue(long? frame)
    {
        if (!Plugin.Enabled || InFlight || !Clips.IsReady || (frame is { } f && Clips.Newest.Frame != f))
            return false;
        var newest = Clips.Newest.Frame;
        return Spec.EveryFrames <= 0 || _launchedAtFrame == long.MinValue || newest - _launchedAtFrame >= Spec.EveryFrames;
    }

    /// <summary>Takes the ready clip into <paramref name="slot"/> (this network's part of the batch input) for a run about to be submitted.</summary>
    internal void TakeClip(Tensor slot)
    {
        _runClip = Clips.Newest;
        Clips.TakeClip(slot);
        _launchedAtFrame = _runClip.Frame;
        InFlight = true;
        if (_movedQuery is not null)
        {
            Batch!.Graph.SetInput(AttentionQuery!, _movedQuery);
            _movedQuery = null;
        }
    }

    /// <summary>The batch hands over this network's outputs of a finished run; <see cref="Poll"/> interprets them.</summary>
    internal void Finish(IReadOnlyDictionary<string, OutputTensor> outputs, double seconds)
    {
        InFlight = false;
        _finished = (outputs, seconds);
    }

    /// <summary>Launches a run of a network that runs alone if it is due with the frame just sampled (<see cref="IsDue"/>).</summary>
    public bool TryLaunch(long frame) => Batch is { Size: 1 } batch && batch.TryLaunch(frame);

    /// <summary>
    /// Polls the batch, then, if this network's run has finished, lets <paramref name="interpret"/> turn
    /// it into display metadata (null: interpreting failed, nothing to draw); true when it did.
    /// </summary>
    public bool Poll(Func<NetworkResult, DisplayMetadata?> interpret)
    {
        Batch?.Poll();
        if (_finished is not { } finished)
            return false;
        _finished = null;
        LastInferenceSeconds = finished.Seconds;
        InferenceSecondsTotal += finished.Seconds;
        Runs++;
        if (interpret(new NetworkResult(_runClip.Frame, finished.Outputs, Clips.CropRegions)) is not { } metadata)
            return false;
        Latest = (metadata, _runClip.Frame, _runClip.Ticks);
        LatestUndrawn = true;
        return true;
    }

    /// <summary>
    /// Moves the attention query to (<paramref name="x"/>, <paramref name="y"/>), fractions of the
    /// frame, for the runs launched from now on; false when the network has no query.
    /// </summary>
    public bool MoveQuery(double x, double y)
    {
        if (AttentionQuery is null)
            return false;
        _movedQuery = NonLocalNode.MiddleFrameQuery(x, y);
        return true;
    }

    /// <summary>
    /// The marked outputs of a finished run as the plugin contract gives them: whole tensors (a
    /// detector's fixed maximum of rows, its count beside them), integer outputs (detection labels and
    /// counts) as exact floats, since the contract has one element type.
    /// </summary>
    public static IReadOnlyDictionary<string, OutputTensor> ReadOutputs(CompiledGraph network) =>
        network.Outputs.ToDictionary(name => name, name => ReadAsFloats(network.Tensor(name)));

    private static OutputTensor ReadAsFloats(Tensor tensor) => new(tensor.Shape.Dims.ToArray(), tensor.Type switch
    {
        DataType.Int32 => [.. tensor.Download<int>().Select(v => (float)v)],
        DataType.UInt32 => [.. tensor.Download<uint>().Select(v => (float)v)],
        _ => tensor.Download<float>(),
    });

    public void Dispose()
    {
        Batch?.Leave(this);
        Batch = null;
        Clips.Dispose();
    }
}
