using System.Text.Json.Nodes;
using Engine.Files;
using Engine.Graph;
using Engine.Models;
using Engine.Tests.Gpu;
using Engine.Tests.Models;
using WeightConverter.Containers;
using WeightConverter.Dialects;
using WeightConverter.Package;

namespace Engine.Tests.Converter;

/// <summary>
/// Checkpoints written by modules that follow each family's own code (tests/fixtures/families/*.py,
/// cross-checked against the upstream repositories) and torchvision's real video models, in the family's
/// container with its own embedded config: converted with only the flags the file cannot answer, then run
/// as `engine run-model` runs them, the probabilities must equal the family's test-time output.
/// </summary>
public sealed class FamilyFidelityTests(GpuFixture fixture) : GpuTest(fixture)
{
    /// <summary>The fixture sets whose `cases.json` lists family checkpoints.</summary>
    private static readonly string[] _sets = ["family_mmaction2", "family_slowfast_caffe2"];

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var set in _sets)
        {
            foreach (var entry in Manifest(set))
                data.Add(set, entry["case"]!.GetValue<string>());
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Family_checkpoints_convert_and_reproduce_the_family_probabilities(string set, string name)
    {
        var entry = Manifest(set).Single(e => e["case"]!.GetValue<string>() == name);
        var flags = entry["flags"]!.AsObject().ToDictionary(f => f.Key, f => f.Value!.GetValue<string>());
        var family = entry["family"]!.GetValue<string>();
        var options = new ConvertOptions
        {
            Frames = flags.TryGetValue("--frames", out var frames) ? int.Parse(frames, System.Globalization.CultureInfo.InvariantCulture) : null,
            SamplingRate = flags.TryGetValue("--sampling-rate", out var rate) ? int.Parse(rate, System.Globalization.CultureInfo.InvariantCulture) : null,
            Builder = flags.GetValueOrDefault("--builder"),
            Instantiation = flags.GetValueOrDefault("--nonlocal-mode"),
        };
        var unknown = flags.Keys.Except(["--frames", "--sampling-rate", "--builder", "--nonlocal-mode"]).ToList();
        Assert.True(unknown.Count == 0, $"{name}: the manifest asks for flags this test does not pass: {string.Join(", ", unknown)}");

        var dir = Fixtures.Dir(set);
        var output = Path.Combine(Path.GetTempPath(), $"family-{Guid.NewGuid():N}.safetensors");
        try
        {
            using (var checkpoint = CheckpointReader.Open(Path.Combine(dir, entry["file"]!.GetValue<string>())))
            {
                var model = DialectDetector.Map(checkpoint, options);
                // A file that says everything (every family but the Caffe2 pickles) converts without assumptions.
                if (family != "video-nonlocal-net")
                    Assert.Empty(model.Derivation!.Warnings.Select(w => $"{w.Name}: {w.Detail}"));
                PackageWriter.Write(model, checkpoint, output, null);
            }
            var input = NpyArray.Read(Path.Combine(dir, entry["input"]!.GetValue<string>()));
            using var package = WeightPackage.Open(output);
            var builder = ModelBuilder.Build(package, input.Shape[0], input.Shape[2], input.Shape[3], input.Shape[4]);
            using var graph = builder.Compile(Device, new CompileOptions());
            graph.SetInput(VideoResNetBuilder.Input, input.ToFloats());
            graph.Run();
            var expected = NpyArray.Read(Path.Combine(dir, entry["probs"]!.GetValue<string>()));
            VideoResNetTests.AssertClose(expected, graph.ReadTorch(VideoResNetBuilder.Probabilities), $"{name} probs", 1e-4);
        }
        finally
        {
            File.Delete(output);
        }
    }

    private static IEnumerable<JsonObject> Manifest(string set) => JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures.Dir(set), "cases.json")))!.AsArray().Select(e => e!.AsObject());
}
