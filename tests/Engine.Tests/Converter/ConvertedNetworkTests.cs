using Engine.Graph;
using Engine.Models;
using Engine.Tests.Gpu;
using Engine.Tests.Models;
using WeightConverter.Dialects;

namespace Engine.Tests.Converter;

/// <summary>
/// Checkpoints of every video family, made from the PyTorch reference network's weights in the family's
/// container and naming, converted and run through the engine (the calls `engine run-model` makes):
/// the probabilities must match PyTorch's.
/// </summary>
public sealed class ConvertedNetworkTests(GpuFixture fixture) : GpuTest(fixture)
{
    [Theory]
    [InlineData("vnl_i3d_wrapped.pkl", null, null)]
    [InlineData("vnl_c2d_flat.pkl", null, 8)]
    [InlineData("vnl_i3d_affine.pkl", null, 8)]
    [InlineData("pyslowfast_i3d.pyth", null, null)]
    [InlineData("mmaction2_embedded_gaussian.pth", null, null)]
    [InlineData("mmaction2_gaussian.pth", null, null)]
    [InlineData("mmaction2_dot_product.pth", "dot_product", null)]
    [InlineData("mmaction2_concatenation.pth", null, null)]
    public void Converted_video_checkpoints_reproduce_torch_probabilities(string file, string? nonLocal, int? frames)
    {
        var name = Path.GetFileNameWithoutExtension(file);
        var options = new ConvertOptions { Instantiation = nonLocal, Frames = frames, SamplingRate = frames };
        var (converted, path) = ConverterFixtures.Convert($"e2e_{file}", options);
        converted.Dispose();
        try
        {
            var input = Fixtures.Npy("checkpoints", $"e2e_{name}.input");
            using var package = WeightPackage.Open(path);
            var builder = ModelBuilder.Build(package, input.Shape[0], input.Shape[2], input.Shape[3], input.Shape[4]);
            using var graph = builder.Compile(Device, new CompileOptions());
            graph.SetInput(VideoResNetBuilder.Input, input.ToFloats());
            graph.Run();
            VideoResNetTests.AssertClose(Fixtures.Npy("checkpoints", $"e2e_{name}.probs"), graph.ReadTorch(VideoResNetBuilder.Probabilities), $"{file} probs", 1e-4);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
