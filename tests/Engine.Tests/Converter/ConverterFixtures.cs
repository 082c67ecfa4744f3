using System.Text.Json.Nodes;
using Engine.Files;
using WeightConverter.Containers;
using WeightConverter.Dialects;
using WeightConverter.Package;

namespace Engine.Tests.Converter;

/// <summary>Paths into the checkpoint fixtures (tests/fixtures/gen_checkpoints.py) and a convert-and-open helper.</summary>
internal static class ConverterFixtures
{
    public static string File(string name) => Path.Combine(Fixtures.Dir("checkpoints"), name);

    /// <summary>Converts a fixture to a temporary package and opens it; the caller disposes and deletes.</summary>
    public static (SafeTensorsFile Package, string Path) Convert(string fixture, ConvertOptions? options = null)
    {
        options ??= new ConvertOptions();
        var output = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"converted-{Guid.NewGuid():N}.safetensors");
        using (var checkpoint = CheckpointReader.Open(File(fixture)))
        {
            var model = DialectDetector.Map(checkpoint, options);
            PackageWriter.Write(model, checkpoint, output, options.Labels);
        }
        return (SafeTensorsFile.Open(output), output);
    }

    /// <summary>Every tensor of <paramref name="expectedFile"/> is in the package with the same shape and values within 1e-5 of the tensor's scale.</summary>
    public static void AssertMatches(SafeTensorsFile package, string expectedFile)
    {
        using var expected = SafeTensorsFile.Open(File(expectedFile));
        Assert.NotEmpty(expected.Tensors);
        foreach (var e in expected.Tensors)
        {
            Assert.True(package.Contains(e.Name), $"package lacks '{e.Name}'");
            Assert.Equal(e.Shape.ToArray(), package[e.Name].Shape.ToArray());
            var want = expected.ReadFloats(e.Name);
            var got = package.ReadFloats(e.Name);
            var scale = Math.Max(want.Max(Math.Abs), 1e-6f);
            for (var i = 0; i < want.Length; i++)
            {
                if (Math.Abs(want[i] - got[i]) > 1e-5 * scale)
                    Assert.Fail($"'{e.Name}'[{i}]: expected {want[i]}, converted {got[i]} (scale {scale})");
            }
        }
    }

    public static JsonNode Architecture(SafeTensorsFile package) => JsonNode.Parse(package.Metadata["architecture"])!;

    public static JsonNode Facts(string name) => JsonNode.Parse(System.IO.File.ReadAllText(File($"facts_{name}.json")))!;
}
