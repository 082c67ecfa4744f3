using Engine.Contracts;

namespace Engine.Host;

/// <summary>
/// One finished prediction as the presenters see it: the stream it belongs to (its id), the newest
/// frame of its clip, the session time it was drawn at (seconds), the plugin, the latency from that
/// frame's capture to the drawing, and its top-k and boxes (boxes in pixels of the frame).
/// </summary>
public sealed record PredictionRecord(string Stream, long Frame, double Time, string Plugin, double LatencyMs, IReadOnlyList<LabelScore> TopK,
    IReadOnlyList<(double X1, double Y1, double X2, double Y2, string Label, double Score)> Boxes);
