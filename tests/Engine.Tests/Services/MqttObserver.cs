using System.Buffers;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace Engine.Tests.Services;

/// <summary>A subscriber on the broker, as another system would be: keeps every message it receives, in order.</summary>
public sealed class MqttObserver : IDisposable
{
    private readonly List<Message> _messages = [];
    private readonly int _port;
    private readonly string _filter;
    private IMqttClient _client;

    private MqttObserver(int port, string filter)
    {
        _port = port;
        _filter = filter;
        _client = new MqttClientFactory().CreateMqttClient();
    }

    public sealed record Message(string Topic, byte[] Payload, bool Retain)
    {
        public string Text => Encoding.UTF8.GetString(Payload);
    }

    /// <summary>Connects and subscribes to <paramref name="filter"/> at QoS 1; returns once the broker acknowledged the subscription.</summary>
    public static async Task<MqttObserver> Subscribe(int port, string filter)
    {
        var observer = new MqttObserver(port, filter);
        await observer.Connect();
        return observer;
    }

    /// <summary>After a broker restart (which forgot the subscription): a new connection and subscription, keeping what was received.</summary>
    public async Task Reconnect()
    {
        _client.Dispose();
        _client = new MqttClientFactory().CreateMqttClient();
        await Connect();
    }

    private async Task Connect()
    {
        _client.ApplicationMessageReceivedAsync += e =>
        {
            var m = e.ApplicationMessage;
            lock (_messages)
                _messages.Add(new Message(m.Topic, m.Payload.ToArray(), m.Retain));
            return Task.CompletedTask;
        };
        await _client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _port).WithCleanSession(true).Build());
        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(_filter, MqttQualityOfServiceLevel.AtLeastOnce).Build());
    }

    public IReadOnlyList<Message> Messages
    {
        get
        {
            lock (_messages)
                return [.. _messages];
        }
    }

    /// <summary>The payloads received on <paramref name="topic"/>, in order.</summary>
    public string[] Texts(string topic) => [.. Messages.Where(m => m.Topic == topic).Select(m => m.Text)];

    /// <summary>Waits until the messages received satisfy <paramref name="condition"/>; returns them.</summary>
    public async Task<IReadOnlyList<Message>> WaitFor(Func<IReadOnlyList<Message>, bool> condition, string what)
    {
        await Waits.Until(() => condition(Messages), () => $"{what}; received {Messages.Count}: {string.Join(", ", Messages.TakeLast(8).Select(m => $"{m.Topic} {m.Text}"))}");
        return Messages;
    }

    /// <summary>The retained status as a new subscriber sees it: connects, waits for the retained message on <paramref name="topic"/>.</summary>
    public static async Task<string> Retained(int port, string topic)
    {
        using var fresh = await Subscribe(port, topic);
        var messages = await fresh.WaitFor(m => m.Count > 0, $"the retained {topic}");
        Assert.True(messages[0].Retain, $"{topic} {messages[0].Text} is not retained");
        return messages[0].Text;
    }

    public void Dispose() => _client.Dispose();
}
