using System.Net;

namespace Engine.Services.Http;

/// <summary>
/// Where the HTTP server listens and the bearer token it asks for, validated when parsed so that
/// `engine live` refuses a bad `--http` before it opens a source or a device. Only loopback may be
/// bound without a token: anything else on the network could otherwise watch every camera and
/// change plugin parameters.
/// </summary>
public sealed record HttpServerOptions
{
    private HttpServerOptions(Uri address, string? token)
    {
        Address = address;
        Token = token;
    }

    /// <summary>The address as given (port 0 asks the system for a free port).</summary>
    public Uri Address { get; }

    /// <summary>The bearer token every route but `/healthz` and the page itself asks for, or null.</summary>
    public string? Token { get; }

    /// <summary>
    /// Parses `http://HOST:PORT`. HOST is `localhost`, an IPv4 address or a bracketed IPv6 address;
    /// any other name is bound on every interface (as Kestrel does), so it counts as not loopback.
    /// </summary>
    public static HttpServerOptions Parse(string address, string? token)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.AbsolutePath != "/"
            || uri.Query.Length > 0 || uri.UserInfo.Length > 0)
            throw new EngineException($"HTTP address '{address}': expected http://HOST:PORT, e.g. http://127.0.0.1:8080.");
        if (token is not null && string.IsNullOrWhiteSpace(token))
            throw new EngineException("--http-token is empty.");
        if (token is null && !uri.IsLoopback)
            throw new EngineException($"HTTP address {address} is not loopback: binding it needs --http-token (outputs.http_token in a config file), or bind 127.0.0.1.");
        return new HttpServerOptions(uri, token);
    }

    /// <summary>The options of `--http` and `--http-token` (or `outputs.http` and `outputs.http_token`): null when no address is given.</summary>
    public static HttpServerOptions? From(string? address, string? token) => address is not null ? Parse(address, token)
        : token is not null ? throw new EngineException("--http-token is given without --http ADDRESS.") : null;

    /// <summary>The IP address to bind, or null for `localhost` (both loopback addresses) and for names (every interface).</summary>
    internal IPAddress? IpAddress => IPAddress.TryParse(Address.IdnHost, out var ip) ? ip : null;
}
