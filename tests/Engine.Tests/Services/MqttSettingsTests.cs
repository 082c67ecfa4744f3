using Engine.Services.Mqtt;
using Engine.Tests.Cli;

namespace Engine.Tests.Services;

public sealed class MqttSettingsTests
{
    [Fact]
    public void The_prefix_port_and_buffer_default_and_each_can_be_given()
    {
        Assert.Equal(new MqttSettings("broker", 1883, "nonlocal-engine", 10_000), MqttSettings.Parse("mqtt://broker", "--mqtt"));
        Assert.Equal(new MqttSettings("127.0.0.1", 1884, "site/cams", 50), MqttSettings.Parse("mqtt://127.0.0.1:1884/site/cams/?buffer=50", "--mqtt"));
        Assert.Equal(new MqttSettings("::1", 1883, "nonlocal-engine", 10_000), MqttSettings.Parse("mqtt://[::1]/", "--mqtt"));
    }

    [Fact]
    public void Topics_are_prefix_stream_plugin_with_the_topic_separator_and_wildcards_of_a_stream_id_replaced()
    {
        var settings = MqttSettings.Parse("mqtt://broker/test", "--mqtt");
        Assert.Equal("test/status", settings.StatusTopic);
        Assert.Equal("test/synthetic:1/motion-energy", settings.PredictionTopic("synthetic:1", "motion-energy"));
        Assert.Equal("test/rtsp:__cam_1_a_b_/colour-head", settings.PredictionTopic("rtsp://cam/1/a+b#", "colour-head"));
    }

    [Theory]
    [InlineData("http://broker", "expected mqtt://HOST[:PORT][/PREFIX][?buffer=N]")]
    [InlineData("broker:1883", "expected mqtt://HOST[:PORT][/PREFIX][?buffer=N]")]
    [InlineData("mqtt://user:secret@broker", "user names and passwords are not supported")]
    [InlineData("mqtt://broker/a/+/b", "the topic prefix may not contain the wildcards + or #")]
    [InlineData("mqtt://broker?buffer=0", "buffer=0: expected a whole number of predictions, at least 1")]
    [InlineData("mqtt://broker?buffer=lots", "buffer=lots: expected a whole number of predictions, at least 1")]
    [InlineData("mqtt://broker?qos=2", "unknown setting 'qos' (the only one is buffer=N)")]
    [InlineData("mqtt://broker/x#y", "unexpected '#y'; expected mqtt://HOST[:PORT][/PREFIX][?buffer=N]")]
    public void A_bad_address_is_refused_naming_the_setting_the_text_and_the_reason(string text, string reason)
    {
        var e = Assert.Throws<EngineException>(() => MqttSettings.Parse(text, "outputs.mqtt"));
        Assert.Equal($"outputs.mqtt {text}: {reason}", e.Message);
    }

    [Fact]
    public void Engine_live_refuses_a_bad_address_with_one_line_and_exit_code_2()
    {
        var run = CliProcess.RunEngine("live", "--headless", "--source", "synthetic:1", "--plugin", "motion-energy", "--mqtt", "mqtt://broker/a+b");
        Assert.Equal(2, run.Code);
        Assert.Equal("error: --mqtt mqtt://broker/a+b: the topic prefix may not contain the wildcards + or #", run.Stderr.Trim());
    }

    [Fact]
    public void Engine_live_refuses_a_bad_address_in_a_config_file_naming_the_file_and_the_key()
    {
        var config = Path.Combine(Path.GetTempPath(), $"engine-mqtt-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(config, "streams:\n  - source: synthetic:1\n    plugins:\n      - motion-energy\noutputs:\n  mqtt: mqtt://broker?buffer=0\n");
        try
        {
            var run = CliProcess.RunEngine("live", "--headless", "--config", config);
            Assert.Equal(2, run.Code);
            Assert.Equal($"error: {config}: outputs.mqtt mqtt://broker?buffer=0: buffer=0: expected a whole number of predictions, at least 1", run.Stderr.Trim());
        }
        finally
        {
            File.Delete(config);
        }
    }
}
