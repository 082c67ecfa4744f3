using System.Text.Json.Nodes;
using WeightConverter.Containers;
using WeightConverter.Dialects;

namespace Engine.Tests.Converter;

/// <summary>
/// A checkpoint whose own config contradicts its weights, names a mode the engine lacks, or is not plain
/// data, is refused with one line naming the file and the setting (tests/fixtures/gen_checkpoints.py
/// config_refusals); so is a flag that contradicts the file's config.
/// </summary>
public sealed class ConfigRefusalTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var entry in Manifest())
            data.Add(entry["file"]!.GetValue<string>());
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Contradicting_or_unsupported_configs_are_refused_naming_file_and_setting(string file)
    {
        var entry = Manifest().Single(e => e["file"]!.GetValue<string>() == file);
        var flags = entry["flags"]!.AsObject();
        var options = new ConvertOptions { Instantiation = flags["--nonlocal-mode"]?.GetValue<string>() };
        var path = ConverterFixtures.File(file);
        using var checkpoint = CheckpointReader.Open(path);
        var error = Assert.Throws<EngineException>(() => DialectDetector.Map(checkpoint, options));
        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(entry["setting"]!.GetValue<string>(), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    private static IEnumerable<JsonObject> Manifest() => JsonNode.Parse(File.ReadAllText(ConverterFixtures.File("refusals.json")))!.AsArray().Select(e => e!.AsObject());
}
