using Engine.Services.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engine.Tests.Services;

/// <summary>An HTTP server on a free loopback port over a <see cref="FakeLiveHostView"/>, and a client addressed to it.</summary>
public sealed class HttpTestServer : IDisposable
{
    public HttpTestServer(string? token = null, FakeLiveHostView? view = null)
    {
        View = view ?? new FakeLiveHostView();
        Server = HttpServer.Start(HttpServerOptions.Parse("http://127.0.0.1:0", token), View, NullLoggerFactory.Instance);
        Client = new HttpClient { BaseAddress = Server.Address };
    }

    public FakeLiveHostView View { get; }

    public HttpServer Server { get; }

    public HttpClient Client { get; }

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
    }
}
