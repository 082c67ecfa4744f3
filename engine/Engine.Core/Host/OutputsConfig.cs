namespace Engine.Host;

/// <summary>
/// The outputs of a host, shared by every stream (the `outputs` section of a `--config` file, or the
/// flags of the same names): a JSON lines file, a folder of recordings (one file per stream), an MQTT
/// broker URL (mqtt://HOST:PORT[/PREFIX]), the HTTP API's address and its bearer token.
/// </summary>
public sealed record OutputsConfig(string? Json = null, string? Record = null, string? Mqtt = null, string? Http = null, string? HttpToken = null)
{
    /// <summary>The keys of the `outputs` section.</summary>
    public static readonly IReadOnlyList<string> Keys = ["json", "record", "mqtt", "http", "http_token"];

    /// <summary>These outputs with every value <paramref name="overrides"/> sets taking precedence (flags over the file).</summary>
    public OutputsConfig Over(OutputsConfig overrides) => new(overrides.Json ?? Json, overrides.Record ?? Record, overrides.Mqtt ?? Mqtt,
        overrides.Http ?? Http, overrides.HttpToken ?? HttpToken);
}
