using Engine.Host;

namespace Engine.Tests.Host;

/// <summary>`engine live --config FILE`: the same deployment in YAML and JSON, and errors that name the file and the key.</summary>
public sealed class HostConfigTests
{
    private const string Json = """
        {
          "streams": [
            { "id": "door", "source": "synthetic:1", "size": "320x240", "fps": 15,
              "plugins": [ { "id": "nonlocal-action", "parameters": { "top_k": 3, "every": 8 } } ] },
            { "id": "yard", "source": "synthetic:2", "size": "320x240", "plugins": [ "nonlocal-action" ] }
          ],
          "outputs": { "json": "predictions.jsonl", "record": "recordings", "http": "http://127.0.0.1:8080" }
        }
        """;

    [Fact]
    public void The_example_file_and_its_json_twin_describe_the_same_two_streams_and_outputs()
    {
        var path = Path.Combine(Fixtures.RepoRoot, "docs", "live-config.yaml");
        foreach (var config in new[] { HostConfig.Read(path), HostConfig.Parse(Json, "deploy.json") })
        {
            Assert.Equal(["door", "yard"], config.Streams.Select(s => s.Id));
            Assert.Equal(["synthetic:1", "synthetic:2"], config.Streams.Select(s => s.Source));
            var door = config.Streams[0];
            Assert.Equal((320, 240, 15.0), (door.Options.Width, door.Options.Height, door.Options.Fps));
            var plugin = Assert.Single(door.Plugins);
            Assert.Equal("nonlocal-action", plugin.Id);
            Assert.Equal(new Dictionary<string, string> { ["top_k"] = "3", ["every"] = "8" }, plugin.Parameters);
            Assert.Equal("streams[0].plugins[0]", plugin.Key);
            Assert.Null(config.Streams[1].Options.Fps);
            Assert.Empty(Assert.Single(config.Streams[1].Plugins).Parameters);
            Assert.Equal(new OutputsConfig("predictions.jsonl", "recordings", null, "http://127.0.0.1:8080", null), config.Outputs);
        }
    }

    [Fact]
    public void A_stream_id_defaults_to_its_source_text_and_flags_override_the_files_outputs()
    {
        var config = HostConfig.Parse("streams:\n  - source: synthetic:7\n    plugins: [colour-head]\noutputs:\n  json: a.jsonl\n  mqtt: mqtt://127.0.0.1:1883\n", "d.yaml");
        Assert.Equal("synthetic:7", Assert.Single(config.Streams).Id);
        Assert.Null(config.Streams[0].Options.MaxReconnects);
        Assert.Equal(3, HostConfig.Parse("streams:\n  - source: udp://127.0.0.1:5000\n    max_reconnects: 3\n    plugins: [colour-head]\n", "d.yaml").Streams[0].Options.MaxReconnects);
        Assert.Equal(new OutputsConfig("b.jsonl", null, "mqtt://127.0.0.1:1883", null, null), config.Outputs.Over(new OutputsConfig(Json: "b.jsonl")));
    }

    [Theory]
    [InlineData("d.yaml", "streams:\n  - source: synthetic\n    plugin: [colour-head]\n", "d.yaml: streams[0].plugin: unknown key")]
    [InlineData("d.yaml", "streams:\n  - id: a\n    plugins: [colour-head]\n", "d.yaml: streams[0].source: missing.")]
    [InlineData("d.yaml", "streams:\n  - source: synthetic\n    size: 320\n    plugins: [colour-head]\n", "d.yaml: streams[0].size: '320' is not WxH")]
    [InlineData("d.yaml", "streams:\n  - source: synthetic\n    plugins: []\n", "d.yaml: streams[0].plugins: list at least one plugin.")]
    [InlineData("d.yaml", "streams:\n  - source: synthetic\n    plugins:\n      - id: colour-head\n        parameters: [1]\n", "d.yaml: streams[0].plugins[0].parameters: expected a mapping.")]
    [InlineData("d.yaml", "streams:\n  - source: synthetic\n    plugins: [colour-head]\n  - source: synthetic\n    plugins: [colour-head]\n", "d.yaml: streams: stream id 'synthetic' appears 2 times")]
    [InlineData("d.yaml", "outputs:\n  json: a.jsonl\n", "d.yaml: streams: missing")]
    [InlineData("d.yaml", "streams:\n  - source: synthetic\n    plugins: [colour-head]\noutputs:\n  jsonl: a\n", "d.yaml: outputs.jsonl: unknown key (known: json, record, mqtt, http, http_token)")]
    [InlineData("d.yaml", "streams:\n  - source: synthetic\n    loop: maybe\n    plugins: [colour-head]\n", "d.yaml: streams[0].loop: 'maybe' is not true or false.")]
    [InlineData("d.yaml", "streams:\n  - source: synthetic\n    max_reconnects: -1\n    plugins: [colour-head]\n", "d.yaml: streams[0].max_reconnects: '-1' is not a count")]
    [InlineData("d.yaml", "streams: [\n", "d.yaml: line ")]
    [InlineData("d.json", "{\"streams\": [}", "d.json: ")]
    [InlineData("d.json", "[]", "d.json: the top level must be an object")]
    public void Bad_input_is_refused_with_the_file_and_the_key(string file, string text, string message)
    {
        var e = Assert.Throws<EngineException>(() => HostConfig.Parse(text, file));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var e = Assert.Throws<EngineException>(() => HostConfig.Read("/nonexistent/deploy.yaml"));
        Assert.StartsWith("--config /nonexistent/deploy.yaml: ", e.Message, StringComparison.Ordinal);
    }
}
