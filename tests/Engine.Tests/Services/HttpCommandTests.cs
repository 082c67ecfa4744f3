using Engine.Tests.Cli;
using Engine.Tests.Host;

namespace Engine.Tests.Services;

/// <summary>`engine live --http` as a user runs it (a child process).</summary>
public sealed class HttpCommandTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("engine-http-cli-");

    [Fact]
    public async Task A_live_host_serves_http_on_the_address_it_was_given_until_it_stops()
    {
        using var engine = new EngineProcess("live", "--source", "synthetic:1", "--size", "64x48", "--plugin", "colour-head",
            "--plugin-path", PluginCatalogTests.TestPlugins, "--headless", "--http", "http://127.0.0.1:0");
        engine.WaitForOutput("http: dashboard at", TimeSpan.FromMinutes(5));
        var address = System.Text.RegularExpressions.Regex.Match(engine.Output, @"(?m)^http: dashboard at (http://127\.0\.0\.1:[1-9][0-9]*/)$");
        Assert.True(address.Success, engine.Output);
        using (var client = new HttpClient { BaseAddress = new Uri(address.Groups[1].Value) })
        {
            Assert.Equal("ok", await client.GetStringAsync("/healthz"));
            Assert.Contains("\"id\":\"synthetic:1\"", await client.GetStringAsync("/api/streams"), StringComparison.Ordinal);
        }
        engine.Interrupt();
        Assert.True(engine.WaitForExit(TimeSpan.FromMinutes(2)) == 0, engine.Output);
    }

    [Fact]
    public void A_non_loopback_address_without_a_token_stops_the_host_before_it_starts_with_one_line()
    {
        var run = Live("--http", "http://0.0.0.0:8080");
        Assert.Equal(2, run.Code);
        Assert.Equal("error: HTTP address http://0.0.0.0:8080 is not loopback: binding it needs --http-token (outputs.http_token in a config file), or bind 127.0.0.1.", run.Stderr.Trim());
        Assert.DoesNotContain("http: dashboard", run.Stdout);
    }

    [Fact]
    public void A_config_files_non_loopback_http_output_without_a_token_is_refused_the_same_way()
    {
        var config = Path.Combine(_work.FullName, "deploy.yaml");
        File.WriteAllText(config, """
            streams:
              - source: synthetic:1
                plugins: [colour-head]
            outputs:
              http: http://0.0.0.0:8080
            """);
        var run = CliProcess.RunEngine(TimeSpan.FromMinutes(5), "live", "--config", config, "--plugin-path", PluginCatalogTests.TestPlugins, "--headless", "--predictions", "1");
        Assert.Equal(2, run.Code);
        Assert.Equal("error: HTTP address http://0.0.0.0:8080 is not loopback: binding it needs --http-token (outputs.http_token in a config file), or bind 127.0.0.1.", run.Stderr.Trim());
    }

    [Fact]
    public void A_token_without_an_address_is_refused()
    {
        var run = Live("--http-token", "secret");
        Assert.Equal(2, run.Code);
        Assert.Equal("error: --http-token is given without --http ADDRESS.", run.Stderr.Trim());
    }

    private static (int Code, string Stdout, string Stderr) Live(params string[] http) =>
        CliProcess.RunEngine(TimeSpan.FromMinutes(5), ["live", "--source", "synthetic:1", "--plugin", "colour-head", "--plugin-path", PluginCatalogTests.TestPlugins, "--headless", "--predictions", "1", .. http]);

    public void Dispose() => _work.Delete(recursive: true);
}
