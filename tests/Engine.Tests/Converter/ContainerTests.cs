using System.Numerics;
using WeightConverter.Containers;
using WeightConverter.Dialects;
using WeightConverter.Pickle;

namespace Engine.Tests.Converter;

public sealed class ContainerTests
{
    [Theory]
    [InlineData("dtypes.pth", "torch.save zip")]
    [InlineData("dtypes_prefix.pth", "torch.save zip")]
    [InlineData("dtypes_legacy.pt", "torch.save legacy")]
    public void Torch_save_containers_read_every_dtype_and_strided_view(string file, string container)
    {
        using var checkpoint = CheckpointReader.Open(ConverterFixtures.File(file));
        Assert.Equal(container, checkpoint.Container);
        var (state, _) = DialectDetector.Unwrap(checkpoint);
        Assert.Equal(["f32", "f16", "bf16", "i64", "transposed", "sliced", "scalar"], state.Tensors.Select(t => t.Key));
        foreach (var (name, tensor) in state.Tensors)
        {
            var expected = Fixtures.Npy("checkpoints", $"values_{name}");
            Assert.Equal(expected.Shape.ElementCount, tensor.ElementCount);
            Assert.Equal(expected.ToFloats(), tensor.ReadFloats());
        }
        Assert.Empty(state.Tensors[6].Value.Shape);
        Assert.Equal([6L, 4L], state.Tensors[4].Value.Shape);
        Assert.Equal([1L, 6L], state.Tensors[4].Value.Strides);
        Assert.Equal(ElementType.BFloat16, state.Tensors[2].Value.Type);
        Assert.NotEqual(0, state.Tensors[5].Value.Offset);
    }

    [Fact]
    public void Big_endian_archives_are_byte_swapped_on_read()
    {
        using var checkpoint = CheckpointReader.Open(ConverterFixtures.File("big_endian.pth"));
        var (state, _) = DialectDetector.Unwrap(checkpoint);
        Assert.True(state.Tensors[0].Value.Storage.BigEndian);
        Assert.Equal(Fixtures.Npy("checkpoints", "values_w").ToFloats(), state.Tensors[0].Value.ReadFloats());
        Assert.Equal(Fixtures.Npy("checkpoints", "values_h").ToFloats(), state.Tensors[1].Value.ReadFloats());
    }

    [Theory]
    [InlineData("numpy_p0.pkl")]
    [InlineData("numpy_p1.pkl")]
    [InlineData("numpy_p2.pkl")]
    [InlineData("numpy_p3.pkl")]
    [InlineData("numpy_p4.pkl")]
    [InlineData("numpy_p5.pkl")]
    [InlineData("numpy_py2.pkl")]
    public void Numpy_pickles_of_every_protocol_and_python_2_read_exactly(string file)
    {
        using var checkpoint = CheckpointReader.Open(ConverterFixtures.File(file));
        Assert.Equal("pickle", checkpoint.Container);
        var root = Assert.IsType<PyDict>(checkpoint.Root);
        var arrays = Assert.IsType<PyDict>(root["arrays"]);
        var python2 = file.Contains("py2", StringComparison.Ordinal);
        Assert.Equal(python2 ? 7 : 8, arrays.Count);
        foreach (var (key, value) in arrays.Items)
        {
            var tensor = Assert.IsType<NumpyArray>(value).Tensor!;
            var expected = Fixtures.Npy("checkpoints", $"np_{key}");
            Assert.Equal(expected.Shape.Dims.ToArray().Select(d => (long)d), tensor.Shape);
            Assert.Equal(expected.ToFloats(), tensor.ReadFloats());
        }
        Assert.Equal(python2 ? "abc" : "caf\u00e9", root["note"]);
        if (python2)
            Assert.Equal(7L, Assert.IsType<long>(root["n"]));
        else
            Assert.Equal(BigInteger.Pow(2, 70), Assert.IsType<BigInteger>(root["n"]));
    }

    [Fact]
    public void Safetensors_input_converts_to_the_same_package_as_its_torch_original()
    {
        var (fromTorch, torchPath) = ConverterFixtures.Convert("mmaction2_embedded_gaussian.pth");
        var (fromSafeTensors, safePath) = ConverterFixtures.Convert("mmaction2_embedded_gaussian.safetensors");
        try
        {
            using (fromTorch)
            using (fromSafeTensors)
            {
                Assert.Equal("safetensors", fromSafeTensors.Metadata["source_container"]);
                Assert.Equal(fromTorch.Metadata["architecture"], fromSafeTensors.Metadata["architecture"]);
                Assert.Equal(fromTorch.Tensors.Select(t => t.Name), fromSafeTensors.Tensors.Select(t => t.Name));
                foreach (var t in fromTorch.Tensors)
                    Assert.Equal(fromTorch.ReadFloats(t.Name), fromSafeTensors.ReadFloats(t.Name));
            }
            using var package = CheckpointReader.Open(torchPath);
            var error = Assert.Throws<EngineException>(() => DialectDetector.Map(package, new ConvertOptions()));
            Assert.Contains("already a weight package (converted from mmaction2_embedded_gaussian.pth)", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(torchPath);
            File.Delete(safePath);
        }
    }
}
