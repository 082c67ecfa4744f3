using System.Diagnostics;
using Engine.Contracts;
using Engine.Video;

namespace Engine.Host;

/// <summary>
/// One plugin node in a live session: its clip buffer on the display device, its compiled network on
/// the inference device, and the scheduling state: at most one run in flight, launched when the
/// node's cadence fires and a clip is ready; its newest finished result, waiting to be drawn.
/// </summary>
public sealed class NodeRunner : IDisposable
{
    private long _launchedAtFrame = long.MinValue;
    private long _submitTicks;
    private (long Frame, long Ticks) _runClip;
    private bool _inFlight;

    public NodeRunner(NodeSpec node, ClipBuffer clips, CompiledNetwork network)
    {
        Node = node;
        Clips = clips;
        Network = network;
    }

    public NodeSpec Node { get; }

    public ClipBuffer Clips { get; }

    public CompiledNetwork Network { get; }

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
        if (Node.EveryFrames > 0 && _launchedAtFrame != long.MinValue && frame - _launchedAtFrame < Node.EveryFrames)
            return false;
        _runClip = Clips.Newest;
        Clips.TakeClip(Network.Input);
        _submitTicks = Stopwatch.GetTimestamp();
        Network.Submit();
        _inFlight = true;
        _launchedAtFrame = frame;
        return true;
    }

    /// <summary>If the run in flight has finished, reads it back and lets <paramref name="interpret"/> turn it into display metadata.</summary>
    public bool Poll(Func<NodeResult, DisplayMetadata> interpret)
    {
        if (!_inFlight || Network.IsRunning)
            return false;
        _inFlight = false;
        LastInferenceSeconds = Stopwatch.GetElapsedTime(_submitTicks).TotalSeconds;
        InferenceSecondsTotal += LastInferenceSeconds;
        Runs++;
        var outputs = Network.Read();
        var metadata = interpret(new NodeResult(_runClip.Frame, outputs, Clips.CropRegions));
        Latest = (metadata, _runClip.Frame, _runClip.Ticks);
        LatestUndrawn = true;
        return true;
    }

    public void Dispose()
    {
        Network.Dispose();
        Clips.Dispose();
    }
}
