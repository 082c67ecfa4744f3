using System.Text.Json;

namespace Engine.Host;

/// <summary>
/// `--json out.jsonl`: one JSON object per finished prediction, written when it is first drawn:
/// {"frame": n, "time": s, "plugin": id, "latency_ms": x, "topk": [{"label": ..., "score": ...}],
///  "boxes": [{"x1", "y1", "x2", "y2", "label", "score"}]} (box coordinates in pixels of the frame).
/// </summary>
public sealed class JsonLinesPresenter : IPresenter
{
    private readonly Stream _stream;
    private readonly Utf8JsonWriter _writer;

    public JsonLinesPresenter(string path)
    {
        try
        {
            _stream = File.Create(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"--json {path}: {e.Message}");
        }
        _writer = new Utf8JsonWriter(_stream);
    }

    /// <summary>The newest frame and top-1 label of each of <paramref name="plugin"/>'s predictions in a file this presenter wrote.</summary>
    public static IEnumerable<(long Frame, string Label)> TopLabels(string path, string plugin)
    {
        foreach (var line in File.ReadLines(path))
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var topk = root.GetProperty("topk");
            if (root.GetProperty("plugin").GetString() == plugin && topk.GetArrayLength() > 0)
                yield return (root.GetProperty("frame").GetInt64(), topk[0].GetProperty("label").GetString()!);
        }
    }

    public void Present(OverlayImage image, long frame)
    {
    }

    public void Prediction(PredictionRecord r)
    {
        _writer.Reset();
        _writer.WriteStartObject();
        _writer.WriteNumber("frame", r.Frame);
        _writer.WriteNumber("time", Math.Round(r.Time, 4));
        _writer.WriteString("plugin", r.Plugin);
        _writer.WriteNumber("latency_ms", Math.Round(r.LatencyMs, 2));
        _writer.WriteStartArray("topk");
        foreach (var t in r.TopK)
        {
            _writer.WriteStartObject();
            _writer.WriteString("label", t.Label);
            _writer.WriteNumber("score", Math.Round(t.Score, 6));
            _writer.WriteEndObject();
        }
        _writer.WriteEndArray();
        _writer.WriteStartArray("boxes");
        foreach (var b in r.Boxes)
        {
            _writer.WriteStartObject();
            _writer.WriteNumber("x1", Math.Round(b.X1, 2));
            _writer.WriteNumber("y1", Math.Round(b.Y1, 2));
            _writer.WriteNumber("x2", Math.Round(b.X2, 2));
            _writer.WriteNumber("y2", Math.Round(b.Y2, 2));
            _writer.WriteString("label", b.Label);
            _writer.WriteNumber("score", Math.Round(b.Score, 6));
            _writer.WriteEndObject();
        }
        _writer.WriteEndArray();
        _writer.WriteEndObject();
        _writer.Flush();
        _stream.WriteByte((byte)'\n');
        _stream.Flush();
    }

    public void Dispose()
    {
        _writer.Dispose();
        _stream.Dispose();
    }
}
