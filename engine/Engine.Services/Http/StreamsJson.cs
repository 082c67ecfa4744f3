using System.Globalization;
using System.Text.Json;
using Engine.Contracts;
using Engine.Host;
using Engine.Video;

namespace Engine.Services.Http;

/// <summary>
/// The API's JSON documents, in the snake_case of <see cref="PredictionJson"/> (which writes the
/// predictions inside them). Written by hand with Utf8JsonWriter, as PredictionJson is, so the field
/// names are stated here rather than derived from C# property names.
/// </summary>
internal static class StreamsJson
{
    public static string StateName(SourceState state) => state.ToString().ToLowerInvariant();

    /// <summary>`/api/streams`: one object per stream, in the host's order.</summary>
    public static void WriteStreams(Utf8JsonWriter writer, IReadOnlyList<StreamStatus> streams)
    {
        writer.WriteStartArray();
        foreach (var s in streams)
        {
            writer.WriteStartObject();
            writer.WriteString("id", s.Id);
            writer.WriteString("source", s.Source);
            writer.WriteString("state", StateName(s.State));
            writer.WriteNumber("reconnects", s.Reconnects);
            writer.WriteString("last_failure", s.LastFailure);
            writer.WriteNumber("width", s.Width);
            writer.WriteNumber("height", s.Height);
            writer.WriteNumber("present_fps", Math.Round(s.PresentFps, 2));
            writer.WriteNumber("frames_presented", s.Presented);
            writer.WriteNumber("frames_dropped", s.Dropped);
            writer.WriteNumber("inference_per_second", Math.Round(s.InferenceFps, 2));
            writer.WriteNumber("latency_p50_ms", Math.Round(s.LatencyP50Ms, 2));
            writer.WriteNumber("latency_p95_ms", Math.Round(s.LatencyP95Ms, 2));
            writer.WritePropertyName("last_prediction");
            if (s.LastPrediction is { } prediction)
                PredictionJson.Write(writer, prediction);
            else
                writer.WriteNullValue();
            writer.WriteStartArray("plugins");
            foreach (var p in s.Plugins)
            {
                writer.WriteStartObject();
                writer.WriteString("id", p.Id);
                writer.WriteBoolean("enabled", p.Enabled);
                writer.WriteString("error", p.Error);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    /// <summary>
    /// A plugin's parameters: each spec with its range and its current value, typed as a PUT body
    /// takes it (numbers as numbers, booleans as booleans), so a GET's values can be sent back as they are.
    /// </summary>
    public static void WriteParameters(Utf8JsonWriter writer, StreamStatus stream, StreamPluginStatus plugin)
    {
        writer.WriteStartObject();
        writer.WriteString("stream", stream.Id);
        writer.WriteString("plugin", plugin.Id);
        writer.WriteBoolean("enabled", plugin.Enabled);
        writer.WriteString("error", plugin.Error);
        writer.WriteStartArray("parameters");
        foreach (var spec in plugin.Parameters)
        {
            writer.WriteStartObject();
            writer.WriteString("name", spec.Name);
            writer.WriteString("description", spec.Description);
            writer.WriteString("kind", spec.Kind.ToString().ToLowerInvariant());
            WriteTyped(writer, "default", spec, spec.Default);
            // JSON has no infinity: an open end of a range is left out.
            if (spec.Kind is ParameterKind.Int or ParameterKind.Float)
            {
                if (double.IsFinite(spec.Min))
                    writer.WriteNumber("min", spec.Min);
                if (double.IsFinite(spec.Max))
                    writer.WriteNumber("max", spec.Max);
            }
            if (spec.Kind == ParameterKind.Choice)
            {
                writer.WriteStartArray("choices");
                foreach (var choice in spec.Choices ?? [])
                    writer.WriteStringValue(choice);
                writer.WriteEndArray();
            }
            WriteTyped(writer, "value", spec, plugin.Values.TryGetValue(spec.Name, out var value) ? value : spec.Default);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static void WriteError(Utf8JsonWriter writer, string message)
    {
        writer.WriteStartObject();
        writer.WriteString("error", message);
        writer.WriteEndObject();
    }

    private static void WriteTyped(Utf8JsonWriter writer, string name, ParameterSpec spec, string text)
    {
        if (spec.Kind is ParameterKind.Int or ParameterKind.Float
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
            writer.WriteNumber(name, number);
        else if (spec.Kind == ParameterKind.Bool && bool.TryParse(text, out var flag))
            writer.WriteBoolean(name, flag);
        else
            writer.WriteString(name, text);
    }
}
