using System.Threading.Channels;
using Engine.Host;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Engine.Services.Mqtt;

/// <summary>
/// `--mqtt`: publishes every prediction, as <see cref="PredictionJson"/> (the JSON line), to
/// `PREFIX/&lt;stream&gt;/&lt;plugin&gt;`, and a retained `PREFIX/status` of `online` after each connection,
/// set back to `offline` by the last will when the connection dies and published on a clean shutdown.
/// <para>
/// <see cref="Prediction"/> only appends to a bounded buffer; one background task owns the connection. A
/// full buffer drops its oldest prediction and counts it (<see cref="Dropped"/>, logged at the next
/// connection). Messages go at QoS 1 (at least once): a prediction leaves the buffer only when the broker
/// acknowledged it, so a broker that dies between send and acknowledgement gets it again after the
/// reconnect (the one case of a duplicate). MQTT 3.1.1 with a clean session, which every broker speaks.
/// </para>
/// </summary>
public sealed class MqttPresenter : IPresenter
{
    /// <summary>The wait before reconnecting: 0.5 s after a failure, doubling to at most 30 s; 0.5 s again after a connection.</summary>
    private static readonly TimeSpan _firstRetry = TimeSpan.FromSeconds(0.5);

    private static readonly TimeSpan _maxRetry = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan _connectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Keep-alive pings find a dead broker only while nothing is sent; a broker that stops acknowledging
    /// a steady stream of publishes is caught by this limit instead (the connection is dropped, the
    /// unacknowledged predictions are sent again on the next).
    /// </summary>
    private static readonly TimeSpan _ackTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long <see cref="Dispose"/> waits for the buffer to reach the broker before giving up on it (and logging how much).</summary>
    private static readonly TimeSpan _drainLimit = TimeSpan.FromSeconds(5);

    /// <summary>Publishes awaiting their acknowledgement at once: one at a time would cap the rate at one round trip per prediction.</summary>
    private const int Window = 64;

    private static readonly MqttClientFactory _factory = new();

    private readonly ILogger _logger;
    private readonly Channel<MqttApplicationMessage> _buffer;

    /// <summary>Taken from the buffer, not yet acknowledged; owned by the worker, sent again after a reconnect.</summary>
    private readonly List<MqttApplicationMessage> _inFlight = new(Window);

    private readonly MqttClientOptions _options;
    private readonly CancellationTokenSource _abort = new();
    private readonly Task _worker;
    private long _dropped;
    private long _published;
    private volatile bool _connected;
    private bool _faultReported;
    private bool _disposed;

    public MqttPresenter(MqttSettings settings, ILogger logger)
    {
        Settings = settings;
        _logger = logger;
        _buffer = Channel.CreateBounded<MqttApplicationMessage>(
            new BoundedChannelOptions(settings.BufferBound) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true },
            _ => Interlocked.Increment(ref _dropped));
        _options = new MqttClientOptionsBuilder()
            .WithTcpServer(settings.Host, settings.Port)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            // One id for every connection of this publisher: a reconnect takes over a half-open old session at
            // CONNECT, so the old session's will cannot land after the new `online`. 23 characters: 3.1.1's limit.
            .WithClientId($"engine-{Guid.NewGuid():N}"[..23])
            .WithCleanSession(true)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(_connectTimeout)
            .WithWillTopic(settings.StatusTopic)
            .WithWillPayload("offline"u8.ToArray())
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        _worker = Task.Run(RunAsync);
    }

    public MqttSettings Settings { get; }

    /// <summary>True while a connection to the broker is up.</summary>
    public bool Connected => _connected;

    /// <summary>Predictions the broker acknowledged.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Predictions dropped, oldest first, because the buffer was full while the broker was unreachable.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    private string Broker => $"MQTT broker {Settings.Host}:{Settings.Port}";

    public void Present(OverlayImage image, long frame)
    {
    }

    public void Prediction(PredictionRecord record)
    {
        ThrowIfFaulted();
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(Settings.PredictionTopic(record.Stream, record.Plugin))
            .WithPayload(PredictionJson.ToUtf8(record))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        // Never fails: a full buffer drops (and counts) its oldest message to take this one.
        _buffer.Writer.TryWrite(message);
    }

    /// <summary>A failure the worker does not expect (a bug, not a broker problem) ends the run at the next prediction.</summary>
    private void ThrowIfFaulted()
    {
        if (_worker.Exception is { } failure && !_faultReported)
        {
            _faultReported = true;
            throw new EngineException($"{Broker}: the publisher failed: {failure.GetBaseException().Message}", failure);
        }
    }

    private async Task RunAsync()
    {
        var token = _abort.Token;
        var retry = _firstRetry;
        long? droppedBeforeOutage = null;
        while (!token.IsCancellationRequested)
        {
            using var client = _factory.CreateMqttClient();
            var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            client.DisconnectedAsync += _ =>
            {
                lost.TrySetResult();
                return Task.CompletedTask;
            };
            string reason;
            try
            {
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(token))
                {
                    timeout.CancelAfter(_connectTimeout);
                    await client.ConnectAsync(_options, timeout.Token);
                }
                await client.PublishAsync(Status("online"), token);
                _connected = true;
                if (droppedBeforeOutage is { } before)
                    _logger.LogInformation("{Broker}: reconnected; {Dropped} predictions dropped during the outage, {Total} in all (buffer bound {Bound})",
                        Broker, Dropped - before, Dropped, Settings.BufferBound);
                else
                    _logger.LogInformation("{Broker}: connected, publishing to {Prefix}/<stream>/<plugin>", Broker, Settings.Prefix);
                (retry, droppedBeforeOutage) = (_firstRetry, null);
                if (await DrainAsync(client, lost.Task, token))
                {
                    await client.PublishAsync(Status("offline"), token);
                    await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), token);
                    _connected = false;
                    return;
                }
                reason = "connection lost";
            }
            catch (Exception e) when (IsConnectionFailure(e, token))
            {
                reason = e.GetBaseException().Message;
            }
            _connected = false;
            // The first failure of an outage is a warning; the retries that follow are details.
            _logger.Log(droppedBeforeOutage is null ? LogLevel.Warning : LogLevel.Debug,
                "{Broker}: {Reason}; retrying in {Retry} s (doubling to {Max} s), keeping up to {Bound} predictions, oldest dropped first",
                Broker, reason, retry.TotalSeconds, _maxRetry.TotalSeconds, Settings.BufferBound);
            droppedBeforeOutage ??= Dropped;
            // Shutting down with nothing left to deliver: nothing to reconnect for.
            if (_buffer.Reader.Completion.IsCompleted && _inFlight.Count == 0)
                return;
            var delay = Task.Delay(retry, token);
            await Task.WhenAny(_inFlight.Count == 0 ? [delay, _buffer.Reader.Completion] : [delay]);
            if (_buffer.Reader.Completion.IsCompleted && _inFlight.Count == 0)
                return;
            retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, _maxRetry.Ticks));
        }
    }

    /// <summary>Publishes the buffer until the connection is lost (false) or the buffer is completed and empty (true).</summary>
    private async Task<bool> DrainAsync(IMqttClient client, Task lost, CancellationToken token)
    {
        while (true)
        {
            if (_inFlight.Count == 0)
            {
                var ready = _buffer.Reader.WaitToReadAsync(token).AsTask();
                if (await Task.WhenAny(ready, lost) == lost)
                    return false;
                if (!await ready)
                    return true;
                while (_inFlight.Count < Window && _buffer.Reader.TryRead(out var next))
                    _inFlight.Add(next);
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
            timeout.CancelAfter(_ackTimeout);
            var publishes = _inFlight.Select(m => client.PublishAsync(m, timeout.Token)).ToArray();
            try
            {
                await Task.WhenAll(publishes);
            }
            finally
            {
                // Keep what was not acknowledged, in order, for the next connection.
                for (var i = publishes.Length - 1; i >= 0; i--)
                {
                    if (publishes[i].IsCompletedSuccessfully)
                        _inFlight.RemoveAt(i);
                }
                Interlocked.Add(ref _published, publishes.Count(p => p.IsCompletedSuccessfully));
            }
        }
    }

    private MqttApplicationMessage Status(string state) => new MqttApplicationMessageBuilder()
        .WithTopic(Settings.StatusTopic)
        .WithPayload(state)
        .WithRetainFlag(true)
        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
        .Build();

    /// <summary>What a broker that is down, restarting, unreachable or garbled throws (MQTTnet wraps socket errors); a cancellation that is not ours is a timeout.</summary>
    private static bool IsConnectionFailure(Exception e, CancellationToken token) =>
        e is MqttCommunicationException or MqttProtocolViolationException || (e is OperationCanceledException && !token.IsCancellationRequested);

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _buffer.Writer.TryComplete();
        if (Task.WaitAny([_worker], _drainLimit) < 0)
        {
            _abort.Cancel();
            Task.WaitAny([_worker]);
        }
        var undelivered = _buffer.Reader.Count + _inFlight.Count;
        if (undelivered > 0)
            _logger.LogWarning("{Broker}: {Undelivered} predictions not delivered at shutdown (broker unreachable for {Limit} s)", Broker, undelivered, _drainLimit.TotalSeconds);
        _abort.Dispose();
        _connected = false;
        // Disposal runs in the host's teardown, before the devices go: a publisher failure is logged
        // there, never thrown, so it cannot skip the rest of the teardown or hide an earlier error.
        if (_worker.Exception is { } failure && !_faultReported)
            _logger.LogError(failure, "{Broker}: the publisher failed: {Reason}", Broker, failure.GetBaseException().Message);
    }
}
