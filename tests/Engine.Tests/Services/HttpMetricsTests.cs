using System.Globalization;

namespace Engine.Tests.Services;

public sealed class HttpMetricsTests : IDisposable
{
    private readonly HttpTestServer _http = new();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Metrics_have_type_lines_and_each_streams_figures()
    {
        var text = await _http.Client.GetStringAsync("/metrics");
        foreach (var (name, type) in new[]
        {
            ("engine_stream_present_fps", "gauge"), ("engine_stream_frames_presented_total", "counter"),
            ("engine_stream_frames_dropped_total", "counter"), ("engine_stream_inference_per_second", "gauge"),
            ("engine_stream_latency_ms", "gauge"), ("engine_stream_source_state", "gauge"),
            ("engine_stream_reconnects_total", "counter"), ("engine_stream_plugin_enabled", "gauge"),
        })
            Assert.Contains($"# TYPE {name} {type}\n", text);

        var samples = Samples(text);
        Assert.Equal(29.5, samples["engine_stream_present_fps{stream=\"cam-a\"}"]);
        Assert.Equal(1200, samples["engine_stream_frames_presented_total{stream=\"cam-a\"}"]);
        Assert.Equal(17, samples["engine_stream_frames_dropped_total{stream=\"rtsp://cam/b\"}"]);
        Assert.Equal(4.25, samples["engine_stream_inference_per_second{stream=\"cam-a\"}"]);
        Assert.Equal(120.5, samples["engine_stream_latency_ms{stream=\"cam-a\",quantile=\"0.5\"}"]);
        Assert.Equal(180.25, samples["engine_stream_latency_ms{stream=\"cam-a\",quantile=\"0.95\"}"]);
        Assert.Equal(1, samples["engine_stream_source_state{stream=\"cam-a\",state=\"live\"}"]);
        Assert.Equal(0, samples["engine_stream_source_state{stream=\"cam-a\",state=\"reconnecting\"}"]);
        Assert.Equal(1, samples["engine_stream_source_state{stream=\"rtsp://cam/b\",state=\"reconnecting\"}"]);
        Assert.Equal(2, samples["engine_stream_reconnects_total{stream=\"rtsp://cam/b\"}"]);
        Assert.Equal(0, samples["engine_stream_plugin_enabled{stream=\"rtsp://cam/b\",plugin=\"motion\"}"]);
    }

    [Fact]
    public async Task Metrics_are_read_from_the_host_at_each_scrape()
    {
        await _http.Client.GetStringAsync("/metrics");
        _http.View.PresentFpsA = 12.75;
        Assert.Equal(12.75, Samples(await _http.Client.GetStringAsync("/metrics"))["engine_stream_present_fps{stream=\"cam-a\"}"]);
    }

    [Fact]
    public async Task Two_servers_in_one_process_keep_their_own_series()
    {
        var other = new FakeLiveHostView { PresentFpsA = 5 };
        using var second = new HttpTestServer(view: other);
        Assert.Equal(5, Samples(await second.Client.GetStringAsync("/metrics"))["engine_stream_present_fps{stream=\"cam-a\"}"]);
        Assert.Equal(29.5, Samples(await _http.Client.GetStringAsync("/metrics"))["engine_stream_present_fps{stream=\"cam-a\"}"]);
    }

    /// <summary>Each sample line of the text format as "name{labels}" to its value.</summary>
    internal static Dictionary<string, double> Samples(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.StartsWith('#'))
            .Select(line => (Key: line[..line.LastIndexOf(' ')], Value: double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)))
            .ToDictionary(s => s.Key, s => s.Value);
}
