using System.Text.Json;

namespace Engine.Host;

/// <summary>
/// The one JSON form of a prediction, written by every output that carries predictions (JSON lines,
/// MQTT, the HTTP API): {"stream": id, "frame": n, "time": s, "plugin": id, "latency_ms": x,
/// "topk": [{"label", "score"}], "boxes": [{"x1", "y1", "x2", "y2", "label", "score"}]} (box
/// coordinates in pixels of the frame).
/// </summary>
public static class PredictionJson
{
    public static void Write(Utf8JsonWriter writer, PredictionRecord r)
    {
        writer.WriteStartObject();
        writer.WriteString("stream", r.Stream);
        writer.WriteNumber("frame", r.Frame);
        writer.WriteNumber("time", Math.Round(r.Time, 4));
        writer.WriteString("plugin", r.Plugin);
        writer.WriteNumber("latency_ms", Math.Round(r.LatencyMs, 2));
        writer.WriteStartArray("topk");
        foreach (var t in r.TopK)
        {
            writer.WriteStartObject();
            writer.WriteString("label", t.Label);
            writer.WriteNumber("score", Math.Round(t.Score, 6));
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteStartArray("boxes");
        foreach (var b in r.Boxes)
        {
            writer.WriteStartObject();
            writer.WriteNumber("x1", Math.Round(b.X1, 2));
            writer.WriteNumber("y1", Math.Round(b.Y1, 2));
            writer.WriteNumber("x2", Math.Round(b.X2, 2));
            writer.WriteNumber("y2", Math.Round(b.Y2, 2));
            writer.WriteString("label", b.Label);
            writer.WriteNumber("score", Math.Round(b.Score, 6));
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>The record as UTF-8 JSON bytes (one line, no trailing newline).</summary>
    public static byte[] ToUtf8(PredictionRecord record)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
            Write(writer, record);
        return buffer.WrittenSpan.ToArray();
    }
}
