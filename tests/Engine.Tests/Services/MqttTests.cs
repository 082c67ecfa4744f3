using System.Diagnostics;
using System.Text;
using Engine.Contracts;
using Engine.Host;
using Engine.Services.Http;
using Engine.Services.Mqtt;
using Engine.Tests.Cli;
using Engine.Tests.Host;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engine.Tests.Services;

/// <summary>The MQTT presenter against a real Mosquitto broker on loopback, observed by a subscriber of its own.</summary>
public sealed class MqttTests : IDisposable
{
    private const string Prefix = "test";
    private readonly MosquittoBroker _broker = new();
    private readonly LogRecorder _log = new();

    private static PredictionRecord Record(string stream, string plugin, long frame) =>
        new(stream, frame, frame / 30.0, plugin, 12.5 + frame, [new LabelScore("walking", 0.75), new LabelScore("running", 0.125)], [(1, 2, 30.5, 40, "person", 0.9)]);

    private MqttPresenter Publisher(int port, string query = "") => new(MqttSettings.Parse($"mqtt://127.0.0.1:{port}/{Prefix}{query}", "--mqtt"), _log);

    private static string Topic(string stream, string plugin) => $"{Prefix}/{stream}/{plugin}";

    private static string[] Payloads(IEnumerable<PredictionRecord> records) => [.. records.Select(r => Encoding.UTF8.GetString(PredictionJson.ToUtf8(r)))];

    [ToolFact("mosquitto")]
    public async Task Predictions_of_two_streams_arrive_on_their_stream_and_plugin_topics_with_the_json_line_as_payload()
    {
        using var observer = await MqttObserver.Subscribe(_broker.Port, $"{Prefix}/#");
        var records = (from frame in Enumerable.Range(0, 10)
                       from stream in new[] { "synthetic:1", "rtsp://cam/2" }
                       from plugin in new[] { "motion-energy", "colour-head" }
                       select Record(stream, plugin, frame)).ToArray();
        using (var publisher = Publisher(_broker.Port))
        {
            foreach (var record in records)
                publisher.Prediction(record);
            await observer.WaitFor(m => m.Count(x => x.Topic != $"{Prefix}/status") == records.Length, $"{records.Length} predictions");
            await Waits.Until(() => publisher.Published == records.Length, () => $"{publisher.Published} of {records.Length} acknowledged");
            Assert.Equal(0, publisher.Dropped);
        }
        foreach (var (stream, topicLevel) in new[] { ("synthetic:1", "synthetic:1"), ("rtsp://cam/2", "rtsp:__cam_2") })
        {
            foreach (var plugin in new[] { "motion-energy", "colour-head" })
                Assert.Equal(Payloads(records.Where(r => r.Stream == stream && r.Plugin == plugin)), observer.Texts(Topic(topicLevel, plugin)));
        }
    }

    [ToolFact("mosquitto")]
    public async Task The_retained_status_is_online_while_connected_and_offline_after_the_connection_dies_and_after_a_clean_shutdown()
    {
        var status = $"{Prefix}/status";
        using var observer = await MqttObserver.Subscribe(_broker.Port, status);
        using var relay = new LoopbackRelay(_broker.Port);
        var publisher = Publisher(relay.Port);
        try
        {
            await observer.WaitFor(m => m.Count == 1, "online");
            Assert.Equal(["online"], observer.Texts(status));
            Assert.Equal("online", await MqttObserver.Retained(_broker.Port, status));

            // The connection dies with no DISCONNECT: the broker publishes the last will.
            relay.Passing = false;
            relay.Sever();
            await observer.WaitFor(m => m.Count == 2, "the last will");
            Assert.Equal(["online", "offline"], observer.Texts(status));
            Assert.Equal("offline", await MqttObserver.Retained(_broker.Port, status));
            await Waits.Until(() => !publisher.Connected, () => "the publisher to see its connection lost");

            relay.Passing = true;
            await observer.WaitFor(m => m.Count == 3, "online again after the publisher reconnected by itself");
            Assert.Equal("online", await MqttObserver.Retained(_broker.Port, status));
        }
        finally
        {
            publisher.Dispose();
        }
        await observer.WaitFor(m => m.Count == 4, "offline at the clean shutdown");
        Assert.Equal(["online", "offline", "online", "offline"], observer.Texts(status));
        Assert.Equal("offline", await MqttObserver.Retained(_broker.Port, status));
    }

    /// <summary>
    /// The publisher reaches the broker through a relay that the test holds closed while the broker is
    /// down, so the test's subscriber is back on the restarted broker before the publisher may reconnect
    /// (a broker without persistence forgets subscriptions, and what it gets before the subscription
    /// goes nowhere). The broker itself is SIGKILLed and restarted on the same port.
    /// </summary>
    [ToolFact("mosquitto")]
    public async Task After_a_broker_kill_and_restart_the_buffer_arrives_and_only_what_overflowed_its_bound_is_dropped_oldest_first()
    {
        const int bound = 50, before = 20, whileDown = 130;
        var topic = Topic("cam", "motion-energy");
        var records = Enumerable.Range(0, before + whileDown).Select(f => Record("cam", "motion-energy", f)).ToArray();
        using var observer = await MqttObserver.Subscribe(_broker.Port, $"{Prefix}/#");
        using var relay = new LoopbackRelay(_broker.Port);
        using var publisher = Publisher(relay.Port, $"?buffer={bound}");
        foreach (var record in records[..before])
            publisher.Prediction(record);
        await observer.WaitFor(m => m.Count(x => x.Topic == topic) == before, $"the {before} predictions before the kill");

        relay.Passing = false;
        _broker.Kill();
        await Waits.Until(() => !publisher.Connected, () => "the publisher to see the broker gone");
        foreach (var record in records[before..])
            publisher.Prediction(record);
        Assert.Equal(whileDown - bound, publisher.Dropped);

        _broker.Start();
        await observer.Reconnect();
        relay.Passing = true;
        var kept = Payloads(records[^bound..]);
        await observer.WaitFor(m => m.Select(x => x.Text).Intersect(kept).Count() == bound, $"the {bound} buffered predictions after the restart");
        await Waits.Until(() => publisher.Published == before + bound, () => $"{publisher.Published} of {before + bound} acknowledged");

        // At least once: a prediction sent before the kill whose acknowledgement the kill lost is sent
        // again after the restart, so only those may arrive twice. Nothing else is duplicated or lost.
        var received = observer.Texts(topic);
        var sent = Payloads(records);
        var expected = sent[..before].Concat(kept).ToArray();
        Assert.Equal(expected, received.Distinct());
        var duplicates = received.Length - expected.Length;
        Assert.All(received.GroupBy(t => t).Where(g => g.Count() > 1), g => Assert.Contains(g.Key, sent[..before]));
        Assert.Equal(kept, received[^bound..]);
        Assert.InRange(duplicates, 0, before);
        Assert.Equal(whileDown - bound, publisher.Dropped);
        Assert.Contains(_log.Entries, e => e.Message.Contains($"reconnected; {whileDown - bound} predictions dropped during the outage, {whileDown - bound} in all (buffer bound {bound})", StringComparison.Ordinal));
    }

    [ToolFact("mosquitto")]
    public async Task Engine_live_with_two_sources_publishes_every_json_line_of_both_streams_then_goes_offline()
    {
        using var observer = await MqttObserver.Subscribe(_broker.Port, $"{Prefix}/#");
        var work = Directory.CreateTempSubdirectory("engine-mqtt-live-");
        try
        {
            var json = Path.Combine(work.FullName, "predictions.jsonl");
            // Bounded by predictions, not seconds: a loaded machine only takes longer. The guard catches a hang.
            var run = CliProcess.RunEngine(TimeSpan.FromMinutes(10), "live", "--headless", "--source", "synthetic:1", "--source", "synthetic:2", "--plugin", "motion-energy",
                "--plugin-path", PluginCatalogTests.Plugins, "--predictions", "6", "--json", json, "--mqtt", $"mqtt://127.0.0.1:{_broker.Port}/{Prefix}");
            Assert.True(run.Code == 0, run.Stdout + run.Stderr);
            var lines = File.ReadAllLines(json);
            // The process published `offline` after its last prediction on the same connection, so once it is here all are.
            await observer.WaitFor(m => m.Any(x => x.Text == "offline"), "offline at the end of the run");
            Assert.Equal(["online", "offline"], observer.Texts($"{Prefix}/status"));
            foreach (var stream in new[] { "synthetic:1", "synthetic:2" })
            {
                var mine = lines.Where(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("stream").GetString() == stream).ToArray();
                Assert.True(mine.Length > 0, $"no JSON line of {stream}");
                Assert.Equal(mine, observer.Texts(Topic(stream, "motion-energy")));
            }
            Assert.Equal(lines.Length + 2, observer.Messages.Count);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>
    /// `engine live` as a process, its broker SIGKILLed mid-run and restarted (through a relay held closed
    /// until the subscriber is back, as in the test above): the host keeps presenting while the broker is
    /// down, reconnects by itself, and at the end (Ctrl-C) every JSON line of the run has reached the
    /// subscriber. The one loss a broker without persistence allows, a prediction it acknowledged but had
    /// not yet forwarded when killed, needs the kill to land in the microseconds between the two.
    /// </summary>
    [ToolFact("mosquitto", "kill")]
    public async Task Engine_live_keeps_presenting_through_a_broker_kill_and_restart_and_delivers_every_json_line()
    {
        using var observer = await MqttObserver.Subscribe(_broker.Port, $"{Prefix}/#");
        using var relay = new LoopbackRelay(_broker.Port);
        var work = Directory.CreateTempSubdirectory("engine-mqtt-restart-");
        var json = Path.Combine(work.FullName, "predictions.jsonl");
        var snapshots = Path.Combine(work.FullName, "snapshots");
        // Presented frames, counted by the snapshots of every third (the JSON lines file is locked while written).
        int Presented() => Directory.Exists(snapshots) ? Directory.GetFiles(snapshots).Length : 0;
        var output = new StringBuilder();
        using var engine = new Process
        {
            StartInfo = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "engine.dll"), "live", "--headless", "--source", "synthetic:1",
                "--plugin", "motion-energy", "--plugin-path", PluginCatalogTests.Plugins, "--json", json, "--snapshot-every", "3", "--snapshot-dir", snapshots, "--mqtt", $"mqtt://127.0.0.1:{relay.Port}/{Prefix}"])
            { RedirectStandardOutput = true, RedirectStandardError = true },
        };
        DataReceivedEventHandler keep = (_, e) =>
        {
            lock (output)
                output.AppendLine(e.Data);
        };
        engine.OutputDataReceived += keep;
        engine.ErrorDataReceived += keep;
        engine.Start();
        engine.BeginOutputReadLine();
        engine.BeginErrorReadLine();
        try
        {
            var topic = Topic("synthetic:1", "motion-energy");
            await observer.WaitFor(m => m.Count(x => x.Topic == topic) >= 3, "predictions before the kill");
            relay.Passing = false;
            _broker.Kill();
            var atKill = Presented();
            await Waits.Until(() => Presented() >= atKill + 10, () => $"the host to keep presenting with the broker down ({Presented() - atKill} snapshots since the kill)");
            _broker.Start();
            await observer.Reconnect();
            relay.Passing = true;
            await observer.WaitFor(m => m.Count(x => x.Text == "online") == 2, "the engine to reconnect by itself");
            TestMedia.Run("kill", "-INT", engine.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!engine.WaitForExit(Waits.HangGuard))
                Assert.Fail($"engine live did not stop after Ctrl-C within {Waits.HangGuard}");
            engine.WaitForExit();
            Assert.True(engine.ExitCode == 0, output.ToString());
            await observer.WaitFor(m => m.Any(x => x.Text == "offline"), "offline at the end of the run");
            var lines = File.ReadAllLines(json);
            Assert.Equal(lines, observer.Texts(topic).Distinct());
        }
        finally
        {
            if (!engine.HasExited)
                engine.Kill(entireProcessTree: true);
            work.Delete(recursive: true);
        }
    }

    [ToolFact("mosquitto")]
    public async Task The_outputs_connection_and_counts_are_in_the_metrics()
    {
        using var publisher = Publisher(_broker.Port);
        foreach (var frame in Enumerable.Range(0, 5))
            publisher.Prediction(Record("synthetic:1", "motion-energy", frame));
        await Waits.Until(() => publisher.Published == 5, () => $"{publisher.Published} of 5 acknowledged");
        using var server = HttpServer.Start(HttpServerOptions.Parse("http://127.0.0.1:0", null), new FakeLiveHostView(), NullLoggerFactory.Instance, publisher);
        using var client = new HttpClient { BaseAddress = server.Address };
        var text = await client.GetStringAsync("/metrics");
        Assert.Contains("# TYPE engine_mqtt_published_total counter\n", text);
        var samples = HttpMetricsTests.Samples(text);
        Assert.Equal(1, samples["engine_mqtt_connected"]);
        Assert.Equal(5, samples["engine_mqtt_published_total"]);
        Assert.Equal(0, samples["engine_mqtt_dropped_total"]);
    }

    public void Dispose() => _broker.Dispose();
}
