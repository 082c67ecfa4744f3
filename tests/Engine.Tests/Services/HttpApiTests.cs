using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Engine.Host;

namespace Engine.Tests.Services;

public sealed class HttpApiTests : IDisposable
{
    private const string DetectParameters = "/api/streams/cam-a/plugins/detect/parameters";

    private readonly HttpTestServer _http = new();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Streams_list_gives_each_streams_figures_state_and_last_prediction()
    {
        using var response = await _http.Client.GetAsync("/api/streams");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var streams = json.RootElement.EnumerateArray().ToArray();
        Assert.Equal(2, streams.Length);

        var a = streams[0];
        Assert.Equal(FakeLiveHostView.A, a.GetProperty("id").GetString());
        Assert.Equal("synthetic:1", a.GetProperty("source").GetString());
        Assert.Equal("live", a.GetProperty("state").GetString());
        Assert.Equal(0, a.GetProperty("reconnects").GetInt32());
        Assert.Equal(29.5, a.GetProperty("present_fps").GetDouble());
        Assert.Equal(1200, a.GetProperty("frames_presented").GetInt64());
        Assert.Equal(3, a.GetProperty("frames_dropped").GetInt64());
        Assert.Equal(4.25, a.GetProperty("inference_per_second").GetDouble());
        Assert.Equal(120.5, a.GetProperty("latency_p50_ms").GetDouble());
        Assert.Equal(180.25, a.GetProperty("latency_p95_ms").GetDouble());
        Assert.Equal(FakeLiveHostView.Width, a.GetProperty("width").GetInt32());
        // The prediction is PredictionJson's form, byte for byte.
        Assert.Equal(Encoding.UTF8.GetString(PredictionJson.ToUtf8(FakeLiveHostView.Prediction)), a.GetProperty("last_prediction").GetRawText());
        Assert.True(a.GetProperty("plugins")[0].GetProperty("enabled").GetBoolean());

        var b = streams[1];
        Assert.Equal(FakeLiveHostView.B, b.GetProperty("id").GetString());
        Assert.Equal("reconnecting", b.GetProperty("state").GetString());
        Assert.Equal(2, b.GetProperty("reconnects").GetInt32());
        Assert.Equal("connection refused", b.GetProperty("last_failure").GetString());
        Assert.Equal(JsonValueKind.Null, b.GetProperty("last_prediction").ValueKind);
        var motion = b.GetProperty("plugins")[0];
        Assert.False(motion.GetProperty("enabled").GetBoolean());
        Assert.Equal("out of memory", motion.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Parameters_get_lists_each_spec_with_its_range_and_current_value()
    {
        var parameters = await Parameters(DetectParameters);
        Assert.Equal(["threshold", "classes", "draw_boxes", "mode"], parameters.Select(p => p.GetProperty("name").GetString()));
        var threshold = parameters[0];
        Assert.Equal("float", threshold.GetProperty("kind").GetString());
        Assert.Equal(0, threshold.GetProperty("min").GetDouble());
        Assert.Equal(1, threshold.GetProperty("max").GetDouble());
        Assert.Equal(0.5, threshold.GetProperty("value").GetDouble());
        Assert.Equal(80, parameters[1].GetProperty("max").GetDouble());
        Assert.True(parameters[2].GetProperty("value").GetBoolean());
        Assert.False(parameters[2].TryGetProperty("min", out _));
        Assert.Equal(["fast", "exact"], parameters[3].GetProperty("choices").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("fast", parameters[3].GetProperty("value").GetString());
    }

    [Fact]
    public async Task Parameters_put_changes_values_live()
    {
        using var response = await Put(DetectParameters, """{"threshold": 0.75, "classes": 20, "draw_boxes": false, "mode": "exact"}""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal([("threshold", "0.75"), ("classes", "20"), ("draw_boxes", "false"), ("mode", "exact")], _http.View.Applied.Select(a => (a.Name, a.Value)));
        var parameters = await Parameters(DetectParameters);
        Assert.Equal(0.75, parameters[0].GetProperty("value").GetDouble());
        Assert.Equal(20, parameters[1].GetProperty("value").GetInt32());
        Assert.False(parameters[2].GetProperty("value").GetBoolean());
        Assert.Equal("exact", parameters[3].GetProperty("value").GetString());
    }

    [Theory]
    [InlineData("""{"classes": 20, "threshold": 1.5}""", "parameter 'threshold': 1.5 is outside [0, 1]")]
    [InlineData("""{"classes": 2.5}""", "parameter 'classes': '2.5' is not an integer")]
    [InlineData("""{"mode": "slow"}""", "parameter 'mode': 'slow' is not one of fast, exact")]
    [InlineData("""{"draw_boxes": "yes"}""", "parameter 'draw_boxes': 'yes' is not true or false")]
    [InlineData("""{"threshold": [0.5]}""", "parameter 'threshold': expected a number, true/false or a string, not array")]
    [InlineData("""{"size": 3}""", "plugin 'detect' has no parameter 'size' (it has: threshold, classes, draw_boxes, mode)")]
    [InlineData("""[1, 2]""", "the body must be a JSON object {\"name\": value, ...}")]
    [InlineData("""{}""", "the body names no parameter")]
    public async Task Parameters_put_refuses_bad_values_with_the_reason_and_changes_nothing(string body, string reason)
    {
        using var response = await Put(DetectParameters, body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(reason, await ErrorOf(response));
        Assert.Empty(_http.View.Applied);
    }

    [Fact]
    public async Task Parameters_put_refuses_malformed_json_and_other_media_types()
    {
        using (var response = await Put(DetectParameters, """{"threshold": 0.7"""))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.StartsWith("malformed JSON: ", await ErrorOf(response));
        }
        using (var response = await _http.Client.PutAsync(DetectParameters, new StringContent("threshold=0.7", Encoding.UTF8, "text/plain")))
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Empty(_http.View.Applied);
    }

    [Fact]
    public async Task Unknown_streams_and_plugins_are_404_with_their_names()
    {
        using (var response = await _http.Client.GetAsync("/api/streams/cam-z/plugins/detect/parameters"))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            // Quotes as they are (not \u0027), for people reading answers with curl.
            Assert.Equal("{\"error\":\"no stream 'cam-z'\"}", await response.Content.ReadAsStringAsync());
        }
        using (var response = await Put("/api/streams/cam-a/plugins/pose/parameters", """{"threshold": 0.7}"""))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("stream 'cam-a' has no plugin 'pose'", await ErrorOf(response));
        }
        using (var response = await _http.Client.GetAsync("/api/streams/cam-z/view.png"))
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_stream_id_with_slashes_is_addressed_escaped()
    {
        var parameters = await Parameters($"/api/streams/{Uri.EscapeDataString(FakeLiveHostView.B)}/plugins/motion/parameters");
        Assert.Equal("window", Assert.Single(parameters).GetProperty("name").GetString());
    }

    [Fact]
    public async Task View_is_a_png_tagged_with_its_frame_and_unchanged_frames_are_304()
    {
        using var response = await _http.Client.GetAsync("/api/streams/cam-a/view.png");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("\"7\"", response.Headers.ETag?.Tag);
        var png = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);

        using var again = new HttpRequestMessage(HttpMethod.Get, "/api/streams/cam-a/view.png");
        again.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"7\""));
        using (var unchanged = await _http.Client.SendAsync(again))
            Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);

        _http.View.HasViewB = false;
        using (var before = await _http.Client.GetAsync($"/api/streams/{Uri.EscapeDataString(FakeLiveHostView.B)}/view.png"))
            Assert.Equal(HttpStatusCode.NoContent, before.StatusCode);
    }

    [Fact]
    public async Task Healthz_answers_ok()
    {
        using var response = await _http.Client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    private async Task<JsonElement[]> Parameters(string path)
    {
        using var response = await _http.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("parameters").EnumerateArray().Select(p => p.Clone()).ToArray();
    }

    private Task<HttpResponseMessage> Put(string path, string json) =>
        _http.Client.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    private static async Task<string?> ErrorOf(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("error").GetString();
    }
}
