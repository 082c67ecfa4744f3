using System.Net;
using Engine.Host;
using Engine.Services.Mqtt;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Engine.Services.Http;

/// <summary>
/// The host's HTTP server, in process (Kestrel): the dashboard page at `/`, the JSON API under
/// `/api/streams`, Prometheus metrics at `/metrics` and `/healthz`. It reads the host only through
/// <see cref="ILiveHostView"/>. With a token, every route but `/healthz` and the page's two static
/// files asks for `Authorization: Bearer TOKEN`: the page holds no data, and its script sends the
/// token (which it reads from the URL fragment, #token=..., that browsers never send to a server,
/// so it stays out of request lines and logs) with every API call. A header rather than a cookie
/// also leaves no ambient credential for another site to ride on (no CSRF on PUT).
/// </summary>
public sealed class HttpServer : IDisposable
{
    private static readonly string[] _openPaths = ["/healthz", "/", "/dashboard.js"];

    private readonly WebApplication _app;

    private HttpServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The address the server listens on, with the port the system chose when asked for port 0.</summary>
    public Uri Address { get; }

    /// <summary>
    /// Starts listening over <paramref name="view"/> (and, in the metrics, <paramref name="mqtt"/> when the
    /// host publishes to a broker); throws an <see cref="EngineException"/> naming the address when it cannot bind.
    /// </summary>
    public static HttpServer Start(HttpServerOptions options, ILiveHostView view, ILoggerFactory logging, MqttPresenter? mqtt = null)
    {
        // The empty builder reads no appsettings, no ASPNETCORE_* variables and no command line:
        // the engine's options alone decide what is served where.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.AddProvider(new EngineLoggerProvider(logging));
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            var port = options.Address.Port;
            if (options.IpAddress is { } ip)
                kestrel.Listen(ip, port);
            else if (options.Address.IsLoopback)
            {
                // Kestrel's ListenLocalhost cannot take port 0 (it would need one free port on two addresses).
                if (port == 0)
                    kestrel.Listen(IPAddress.Loopback, 0);
                else
                    kestrel.ListenLocalhost(port);
            }
            else
                kestrel.ListenAnyIP(port);
        });
        var app = builder.Build();

        if (options.Token is null)
        {
            // Without a token the server trusts being on loopback, which a web page can defeat by DNS
            // rebinding (its own name resolving to 127.0.0.1): only requests addressed to a loopback
            // name are answered, so a page of another origin cannot read the cameras or change parameters.
            app.Use(async (context, next) =>
            {
                if (IsLoopbackHost(context.Request.Host.Host))
                {
                    await next(context);
                    return;
                }
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
            });
        }
        else if (options.Token is { } token)
        {
            var bearer = new BearerToken(token);
            app.Use(async (context, next) =>
            {
                if (_openPaths.Contains(context.Request.Path.Value) || bearer.Accepts(context.Request.Headers.Authorization))
                {
                    await next(context);
                    return;
                }
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer";
            });
        }

        var dashboard = new Dashboard();
        app.MapGet("/", dashboard.Page);
        app.MapGet("/dashboard.js", dashboard.Script);
        app.MapGet("/healthz", context => context.Response.WriteAsync("ok"));
        var api = new StreamsApi(view);
        app.MapGet("/api/streams", api.Streams);
        app.MapGet("/api/streams/{id}/view.png", api.View);
        app.MapGet("/api/streams/{id}/plugins/{plugin}/parameters", api.GetParameters);
        app.MapPut("/api/streams/{id}/plugins/{plugin}/parameters", api.PutParameters);
        app.MapMetrics("/metrics", new StreamMetrics(view, mqtt).Registry);

        try
        {
            app.StartAsync().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            ((IDisposable)app).Dispose();
            throw new EngineException($"HTTP address {options.Address}: cannot listen ({e.Message}).", e);
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HttpServer(app, new Uri(bound));
    }

    public void Dispose()
    {
        _app.StopAsync().GetAwaiter().GetResult();
        ((IDisposable)_app).Dispose();
    }

    private static bool IsLoopbackHost(string host) =>
        host is "localhost" || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
}
