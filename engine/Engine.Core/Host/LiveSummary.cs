using Engine.Gpu;

namespace Engine.Host;

/// <summary>
/// What one stream of a live host measured: frames captured (published by the source), presented and dropped,
/// rates per second of wall time, finished inference runs, mean inference time (submit to result),
/// latency from a clip's newest frame being captured to its prediction being drawn, and the p95 of
/// that latency minus the run's own time (submit to the frame loop finding it done): the scheduling
/// overhead, which should stay within about two frame intervals. Host↔device bytes: those of the
/// frame path (the frame upload, the overlay layer (<see cref="OverlayBytes"/>, part of the
/// uploads), presenters' downloads) and those of inference runs (the clip bridge between devices,
/// result readback, plugin rebuilds), given per finished run (a run still in flight at the end adds its share).
/// </summary>
public sealed record LiveSummary(string Stream, double Seconds, long Captured, long Presented, long Dropped, int Reconnects, long InferenceRuns,
    double CaptureFps, double PresentFps, double InferenceFps, double InferenceMsMean, double LatencyP50Ms, double LatencyP95Ms,
    double OverheadP95Ms, HostTraffic FrameTraffic, long OverlayBytes, HostTraffic RunTraffic, IReadOnlyList<string> DisabledPlugins)
{
    public double UploadBytesPerFrame => PerFrame(FrameTraffic.Uploaded);

    public double DownloadBytesPerFrame => PerFrame(FrameTraffic.Downloaded);

    public double OverlayBytesPerFrame => PerFrame(OverlayBytes);

    private double PerFrame(long bytes) => Presented == 0 ? 0 : (double)bytes / Presented;

    private double PerRun(long bytes) => InferenceRuns == 0 ? 0 : (double)bytes / InferenceRuns;

    public override string ToString() =>
        $"{Seconds:0.0} s: capture {CaptureFps:0.0} fps, present {PresentFps:0.0} fps ({Presented} frames, {Dropped} dropped, {Reconnects} reconnects), " +
        $"inference {InferenceFps:0.00} /s ({InferenceRuns} runs, {InferenceMsMean:0} ms each), latency p50 {LatencyP50Ms:0} ms p95 {LatencyP95Ms:0} ms, latency beyond the run p95 {OverheadP95Ms:0} ms, " +
        $"host->device {UploadBytesPerFrame:0} B/frame (overlay layer {OverlayBytesPerFrame:0} B of it), device->host {DownloadBytesPerFrame:0} B/frame, " +
        $"per run {PerRun(RunTraffic.Uploaded):0} B up {PerRun(RunTraffic.Downloaded):0} B down";
}
