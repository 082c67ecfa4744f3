using System.Text.Json;

namespace Engine.Host;

/// <summary>
/// `--json out.jsonl`: one JSON object per finished prediction (<see cref="PredictionJson"/>), written
/// when it is first drawn.
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

    public void Prediction(PredictionRecord record)
    {
        _writer.Reset();
        PredictionJson.Write(_writer, record);
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
