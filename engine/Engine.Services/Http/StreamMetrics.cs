using Engine.Host;
using Engine.Services.Mqtt;
using Engine.Video;
using Prometheus;

namespace Engine.Services.Http;

/// <summary>
/// The host's figures as Prometheus metrics, labelled by stream, in a registry of this server's own
/// (not prometheus-net's static default, so two servers in one process never share series). They
/// are read from <see cref="ILiveHostView.Streams"/> when a scrape asks, so the frame loops publish
/// nothing and an unscraped server costs nothing. With an MQTT output, its connection and counts
/// are read the same way.
/// </summary>
internal sealed class StreamMetrics
{
    private static readonly string[] _stateNames = Enum.GetValues<SourceState>().Select(StreamsJson.StateName).ToArray();

    private readonly ILiveHostView _view;
    private readonly Gauge _presentFps;
    private readonly Counter _presented;
    private readonly Counter _dropped;
    private readonly Gauge _inferenceRate;
    private readonly Gauge _latency;
    private readonly Gauge _sourceState;
    private readonly Counter _reconnects;
    private readonly Gauge _pluginEnabled;
    private readonly MqttPresenter? _mqtt;
    private readonly Gauge? _mqttConnected;
    private readonly Counter? _mqttPublished;
    private readonly Counter? _mqttDropped;

    public StreamMetrics(ILiveHostView view, MqttPresenter? mqtt)
    {
        _view = view;
        _mqtt = mqtt;
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        string[] stream = ["stream"];
        _presentFps = factory.CreateGauge("engine_stream_present_fps", "Frames presented per second over the last second.", stream);
        _presented = factory.CreateCounter("engine_stream_frames_presented_total", "Frames presented since the host started.", stream);
        _dropped = factory.CreateCounter("engine_stream_frames_dropped_total", "Source frames dropped because the stream was busy.", stream);
        _inferenceRate = factory.CreateGauge("engine_stream_inference_per_second", "Predictions finished per second over the last second.", stream);
        _latency = factory.CreateGauge("engine_stream_latency_ms", "Capture-to-drawing latency of recent predictions, by quantile (0.5, 0.95).", "stream", "quantile");
        _sourceState = factory.CreateGauge("engine_stream_source_state", "1 for the source's current state, 0 for the others.", "stream", "state");
        _reconnects = factory.CreateCounter("engine_stream_reconnects_total", "Times the source was reopened.", stream);
        _pluginEnabled = factory.CreateGauge("engine_stream_plugin_enabled", "1 while the plugin runs on the stream, 0 once it was disabled.", "stream", "plugin");
        if (mqtt is not null)
        {
            _mqttConnected = factory.CreateGauge("engine_mqtt_connected", "1 while the connection to the MQTT broker is up, else 0.");
            _mqttPublished = factory.CreateCounter("engine_mqtt_published_total", "Predictions the MQTT broker acknowledged.");
            _mqttDropped = factory.CreateCounter("engine_mqtt_dropped_total", "Predictions dropped, oldest first, because the MQTT buffer was full.");
        }
        Registry.AddBeforeCollectCallback(Refresh);
    }

    public CollectorRegistry Registry { get; }

    private void Refresh()
    {
        foreach (var s in _view.Streams())
        {
            _presentFps.WithLabels(s.Id).Set(s.PresentFps);
            _presented.WithLabels(s.Id).IncTo(s.Presented);
            _dropped.WithLabels(s.Id).IncTo(s.Dropped);
            _inferenceRate.WithLabels(s.Id).Set(s.InferenceFps);
            _latency.WithLabels(s.Id, "0.5").Set(s.LatencyP50Ms);
            _latency.WithLabels(s.Id, "0.95").Set(s.LatencyP95Ms);
            var state = StreamsJson.StateName(s.State);
            foreach (var name in _stateNames)
                _sourceState.WithLabels(s.Id, name).Set(name == state ? 1 : 0);
            _reconnects.WithLabels(s.Id).IncTo(s.Reconnects);
            foreach (var plugin in s.Plugins)
                _pluginEnabled.WithLabels(s.Id, plugin.Id).Set(plugin.Enabled ? 1 : 0);
        }
        if (_mqtt is not null)
        {
            _mqttConnected!.Set(_mqtt.Connected ? 1 : 0);
            _mqttPublished!.IncTo(_mqtt.Published);
            _mqttDropped!.IncTo(_mqtt.Dropped);
        }
    }
}
