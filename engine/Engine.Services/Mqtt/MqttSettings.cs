using System.Globalization;

namespace Engine.Services.Mqtt;

/// <summary>
/// Where and how predictions are published, parsed from `mqtt://HOST[:PORT][/PREFIX][?buffer=N]` (the
/// `--mqtt` flag, or `outputs.mqtt` of a config file): the broker, the topic prefix and the bound of the
/// outgoing buffer (predictions kept while the broker is unreachable).
/// </summary>
public sealed record MqttSettings(string Host, int Port, string Prefix, int BufferBound)
{
    public const string DefaultPrefix = "nonlocal-engine";

    public const int DefaultPort = 1883;

    /// <summary>About three minutes of predictions at 60 per second; a few MB of JSON at most.</summary>
    public const int DefaultBufferBound = 10_000;

    private const string Form = "expected mqtt://HOST[:PORT][/PREFIX][?buffer=N]";

    /// <summary>The retained `online`/`offline` status of the publisher.</summary>
    public string StatusTopic => $"{Prefix}/status";

    public string PredictionTopic(string stream, string plugin) => $"{Prefix}/{TopicLevel(stream)}/{TopicLevel(plugin)}";

    /// <summary>
    /// A stream id is often its source text (`rtsp://cam/1`, `file:/clips/a.mp4`): a `/` would split it
    /// into several topic levels and `+`/`#` are wildcards no publisher may use, so each becomes `_` in
    /// the topic. The payload keeps the exact id.
    /// </summary>
    private static string TopicLevel(string name) =>
        name.AsSpan().IndexOfAny('/', '+', '#') < 0 ? name : string.Create(name.Length, name, (span, text) =>
        {
            for (var i = 0; i < text.Length; i++)
                span[i] = text[i] is '/' or '+' or '#' ? '_' : text[i];
        });

    /// <summary>Parses <paramref name="text"/>; errors name <paramref name="setting"/> (`--mqtt`, `outputs.mqtt`) and the text.</summary>
    public static MqttSettings Parse(string text, string setting)
    {
        EngineException Invalid(string reason) => new($"{setting} {text}: {reason}");

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != "mqtt")
            throw Invalid(Form);
        if (uri.DnsSafeHost.Length == 0)
            throw Invalid($"no broker host; {Form}");
        if (uri.UserInfo.Length > 0)
            throw Invalid("user names and passwords are not supported");
        if (uri.Fragment.Length > 0)
            throw Invalid($"unexpected '{uri.Fragment}'; {Form}");
        var prefix = Uri.UnescapeDataString(uri.AbsolutePath).Trim('/');
        if (prefix.AsSpan().IndexOfAny('+', '#') >= 0)
            throw Invalid("the topic prefix may not contain the wildcards + or #");
        var bound = DefaultBufferBound;
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = pair.IndexOf('=') is var at and >= 0 ? (pair[..at], pair[(at + 1)..]) : (pair, "");
            if (key != "buffer")
                throw Invalid($"unknown setting '{key}' (the only one is buffer=N)");
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out bound) || bound < 1)
                throw Invalid($"buffer={value}: expected a whole number of predictions, at least 1");
        }
        return new MqttSettings(uri.DnsSafeHost, uri.Port < 0 ? DefaultPort : uri.Port, prefix.Length == 0 ? DefaultPrefix : prefix, bound);
    }
}
