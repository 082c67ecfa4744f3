using System.Diagnostics;
using Engine.Contracts;
using Engine.Gpu;
using Engine.Graph;
using Engine.Graph.Nodes;
using Engine.Video;

namespace Engine.Host;

/// <summary>
/// One plugin network in a live session: its clip buffer on the display device, its network compiled to
/// one graph on the inference device (one submission per run), and the scheduling state: at most one
/// run in flight, launched when the network's cadence fires and a clip is ready; its newest finished
/// result, waiting to be drawn. A moved attention query is written to the graph's query input before
/// the next launch: no recompile, no upload of weights.
/// </summary>
public sealed class NetworkRunner : IDisposable
{
    private long _launchedAtFrame = long.MinValue;
    private long _submitTicks;
    private (long Frame, long Ticks) _runClip;
    private bool _inFlight;
    private Submission? _run;
    private float[]? _movedQuery;

    /// <summary>A network whose clip goes to the graph input <paramref name="input"/>; <paramref name="attentionQuery"/> names its query input, if any.</summary>
    public NetworkRunner(NetworkSpec spec, ClipBuffer clips, CompiledGraph graph, string input, string? attentionQuery)
    {
        Spec = spec;
        Clips = clips;
        Graph = graph;
        Input = graph.Tensor(input);
        AttentionQuery = attentionQuery;
    }

    public NetworkSpec Spec { get; }

    public ClipBuffer Clips { get; }

    public CompiledGraph Graph { get; }

    /// <summary>The graph input the clip buffer writes into.</summary>
    public Tensor Input { get; }

    /// <summary>The graph input holding the attention query (null: the network shows no attention).</summary>
    public string? AttentionQuery { get; }

    public bool InFlight => _inFlight;

    /// <summary>The newest finished result: its metadata, the newest frame of its clip and that frame's capture time.</summary>
    public (DisplayMetadata Metadata, long Frame, long CaptureTicks)? Latest { get; private set; }

    /// <summary>True from the moment a new result is read back until it has been drawn once.</summary>
    public bool LatestUndrawn { get; set; }

    public long Runs { get; private set; }

    public double InferenceSecondsTotal { get; private set; }

    /// <summary>Seconds from submitting the newest finished run to the frame loop finding it done.</summary>
    public double LastInferenceSeconds { get; private set; }

    /// <summary>
    /// Launches a run if the cadence fires, none is in flight and a clip is ready whose newest frame is
    /// <paramref name="frame"/>, the one just sampled: launching on a later frame would start the
    /// latency clock up to a sampling interval before the run, for a clip no fresher.
    /// </summary>
    public bool TryLaunch(long frame)
    {
        if (_inFlight || !Clips.IsReady || Clips.Newest.Frame != frame)
            return false;
        if (Spec.EveryFrames > 0 && _launchedAtFrame != long.MinValue && frame - _launchedAtFrame < Spec.EveryFrames)
            return false;
        _runClip = Clips.Newest;
        Clips.TakeClip(Input);
        if (_movedQuery is not null)
        {
            Graph.SetInput(AttentionQuery!, _movedQuery);
            _movedQuery = null;
        }
        _submitTicks = Stopwatch.GetTimestamp();
        _run = Graph.Submit();
        _inFlight = true;
        _launchedAtFrame = frame;
        return true;
    }

    /// <summary>If the run in flight has finished, reads it back and lets <paramref name="interpret"/> turn it into display metadata.</summary>
    public bool Poll(Func<NetworkResult, DisplayMetadata> interpret)
    {
        if (!_inFlight || _run is { IsComplete: false })
            return false;
        _inFlight = false;
        LastInferenceSeconds = Stopwatch.GetElapsedTime(_submitTicks).TotalSeconds;
        InferenceSecondsTotal += LastInferenceSeconds;
        Runs++;
        var outputs = ReadOutputs(Graph);
        var metadata = interpret(new NetworkResult(_runClip.Frame, outputs, Clips.CropRegions));
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
        Graph.Dispose();
        Clips.Dispose();
    }
}
