using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Engine.Services.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engine.Tests.Services;

public sealed class HttpSecurityTests : IDisposable
{
    private const string Token = "s3cret-token";

    private readonly HttpTestServer _http = new(Token);

    public void Dispose() => _http.Dispose();

    [Theory]
    [InlineData("http://0.0.0.0:8080")]
    [InlineData("http://[::]:8080")]
    [InlineData("http://192.168.1.20:8080")]
    [InlineData("http://camera-host:8080")]
    public void A_non_loopback_address_without_a_token_is_refused_in_one_line(string address)
    {
        var e = Assert.Throws<EngineException>(() => HttpServerOptions.Parse(address, null));
        Assert.Equal($"HTTP address {address} is not loopback: binding it needs --http-token (outputs.http_token in a config file), or bind 127.0.0.1.", e.Message);
        Assert.Equal(address, HttpServerOptions.Parse(address, Token).Address.OriginalString);
    }

    [Theory]
    [InlineData("http://127.0.0.1:0")]
    [InlineData("http://localhost:8080")]
    [InlineData("http://[::1]:0")]
    public void Loopback_needs_no_token(string address) =>
        Assert.Null(HttpServerOptions.Parse(address, null).Token);

    [Fact]
    public async Task Without_a_token_only_requests_addressed_to_a_loopback_name_are_answered()
    {
        // A page whose own name was rebound to 127.0.0.1 sends its name as the Host.
        using var open = new HttpTestServer();
        var port = open.Server.Address.Port;
        foreach (var (host, expected) in new[] { ($"attacker.example:{port}", HttpStatusCode.Forbidden), ($"localhost:{port}", HttpStatusCode.OK), ($"127.0.0.1:{port}", HttpStatusCode.OK), ($"[::1]:{port}", HttpStatusCode.OK) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/streams");
            request.Headers.Host = host;
            using var response = await open.Client.SendAsync(request);
            Assert.True(expected == response.StatusCode, $"Host {host}: {response.StatusCode}");
        }
    }

    [Fact]
    public async Task Localhost_with_port_0_listens_on_a_free_loopback_port()
    {
        using var server = HttpServer.Start(HttpServerOptions.Parse("http://localhost:0", null), new FakeLiveHostView(), NullLoggerFactory.Instance);
        using var client = new HttpClient { BaseAddress = server.Address };
        Assert.NotEqual(0, server.Address.Port);
        Assert.Equal("ok", await client.GetStringAsync("/healthz"));
    }

    [Theory]
    [InlineData("127.0.0.1:8080")]
    [InlineData("https://127.0.0.1:8443")]
    [InlineData("http://127.0.0.1:8080/engine")]
    public void Other_addresses_are_refused_with_the_expected_form(string address)
    {
        var e = Assert.Throws<EngineException>(() => HttpServerOptions.Parse(address, null));
        Assert.Equal($"HTTP address '{address}': expected http://HOST:PORT, e.g. http://127.0.0.1:8080.", e.Message);
    }

    [Fact]
    public void An_address_in_use_is_an_engine_error_naming_it()
    {
        var e = Assert.Throws<EngineException>(() => HttpServer.Start(HttpServerOptions.Parse(_http.Server.Address.ToString(), Token), _http.View, NullLoggerFactory.Instance));
        Assert.StartsWith($"HTTP address {_http.Server.Address}: cannot listen", e.Message);
    }

    [Theory]
    [InlineData("/api/streams")]
    [InlineData("/api/streams/cam-a/view.png")]
    [InlineData("/api/streams/cam-a/plugins/detect/parameters")]
    [InlineData("/metrics")]
    public async Task Routes_answer_401_without_the_token_or_with_a_wrong_one(string path)
    {
        using (var bare = await _http.Client.GetAsync(path))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, bare.StatusCode);
            Assert.Equal("Bearer", bare.Headers.WwwAuthenticate.Single().Scheme);
        }
        foreach (var wrong in new[] { "Bearer s3cret-toke", "Bearer s3cret-token2", "Basic " + Token, Token })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.TryAddWithoutValidation("Authorization", wrong);
            using var response = await _http.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        using var right = new HttpRequestMessage(HttpMethod.Get, path);
        right.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var answered = await _http.Client.SendAsync(right);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
    }

    [Fact]
    public async Task A_put_without_the_token_changes_nothing()
    {
        using var response = await _http.Client.PutAsync("/api/streams/cam-a/plugins/detect/parameters",
            new StringContent("""{"threshold": 0.7}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(_http.View.Applied);
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/")]
    [InlineData("/dashboard.js")]
    public async Task Health_and_the_pages_static_files_need_no_token(string path)
    {
        using var response = await _http.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
