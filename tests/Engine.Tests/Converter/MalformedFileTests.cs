using WeightConverter.Containers;
using WeightConverter.Dialects;
using WeightConverter.Package;

namespace Engine.Tests.Converter;

public sealed class MalformedFileTests
{
    [Theory]
    [InlineData("evil_os_system.pkl", "posix.system")]
    [InlineData("evil_os_system_p0.pkl", "posix.system")]
    [InlineData("evil_eval.pkl", "builtins.eval")]
    [InlineData("evil_subprocess.pkl", "subprocess.Popen")]
    [InlineData("evil_in_zip.pth", "posix.system")]
    public void Pickles_reaching_for_code_are_refused_by_name(string file, string global)
    {
        var error = Assert.Throws<EngineException>(() => ConvertToNothing(file));
        Assert.Contains(global, error.Message, StringComparison.Ordinal);
        Assert.Contains("not on the allow-list", error.Message, StringComparison.Ordinal);
        Assert.StartsWith(ConverterFixtures.File(file), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("image.png", "a PNG image, not a checkpoint")]
    [InlineData("view_past_storage.pth", "needs 6 elements but its storage archive/data/0 holds 4")]
    [InlineData("view_expanded.pth", "tensor of shape (30000, 30000) with strides (0, 0) repeats elements of its 4-element storage archive/data/0")]
    [InlineData("legacy_storage_declared_twice.pt", "storage '0' is declared as 4 F32 and as 8 F32 elements")]
    [InlineData("storage_past_entry.pth", "declares 4 F32 elements (16 bytes) but the entry holds 8 bytes")]
    [InlineData("missing_key.pyth", "key(s) missing for a pyslowfast video-resnet: 's4.pathway0_res2.branch2.b_bn.running_var'")]
    [InlineData("unexpected_key.pyth", "unexpected key(s) for a pyslowfast video-resnet: 's4.pathway0_res2.branch2.extra.weight'")]
    [InlineData("wrong_shape.pyth", "key 's3.pathway0_res1.branch2.b.weight' has shape (16, 16, 1, 2, 3), expected (16, 16, any, 3, 3)")]
    public void Malformed_checkpoints_fail_with_one_line_naming_the_file_and_the_key_or_offset(string file, string expected)
    {
        var error = Assert.Throws<EngineException>(() => ConvertToNothing(file));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith(ConverterFixtures.File(file), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_valid_strided_view_reads_from_its_storage_offset()
    {
        using var checkpoint = CheckpointReader.Open(ConverterFixtures.File("view_ok.pth"));
        var (state, _) = DialectDetector.Unwrap(checkpoint);
        Assert.Equal([1f, 2f, 3f], state.Tensors.Single().Value.ReadFloats());
    }

    [Theory]
    [InlineData("seed_zip.pth")]
    [InlineData("seed_legacy.pt")]
    [InlineData("seed_py2.pkl")]
    [InlineData("seed_p2.pkl")]
    [InlineData("seed_p5.pkl")]
    [InlineData("seed.safetensors")]
    public void Every_truncation_of_a_checkpoint_is_a_clear_error(string file)
    {
        var bytes = File.ReadAllBytes(ConverterFixtures.File(file));
        var path = Path.Combine(Path.GetTempPath(), $"truncated-{Guid.NewGuid():N}-{file}");
        try
        {
            for (var length = 0; length < bytes.Length; length++)
            {
                File.WriteAllBytes(path, bytes[..length]);
                try
                {
                    using var checkpoint = CheckpointReader.Open(path);
                    var (state, _) = DialectDetector.Unwrap(checkpoint);
                    foreach (var (_, tensor) in state.Tensors)
                        tensor.ReadFloats();
                    // Only a cut inside trailing bytes nobody reads (zip padding, the end of a pickle) may still open.
                    Assert.True(length > bytes.Length / 2, $"{file} cut to {length} of {bytes.Length} bytes opened without an error");
                }
                catch (EngineException e)
                {
                    Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
                }
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Header_lengths_past_the_end_are_refused_before_allocating()
    {
        var path = Path.Combine(Path.GetTempPath(), $"header-{Guid.NewGuid():N}.safetensors");
        try
        {
            File.WriteAllBytes(path, [0xF0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, (byte)'{', (byte)'}']);
            var error = Assert.Throws<EngineException>(() => CheckpointReader.Open(path));
            Assert.Contains("header length 1099511627760 at offset 0 is past the end of the file", error.Message, StringComparison.Ordinal);
            // A pickle whose BINBYTES8 claims 2^40 bytes fails at its offset without allocating them.
            File.WriteAllBytes(path, [0x80, 0x04, 0x8e, 0, 0, 0, 0, 0, 1, 0, 0, (byte)'.']);
            error = Assert.Throws<EngineException>(() => CheckpointReader.Open(path));
            Assert.Contains("pickle offset 2", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Dict_keys_nested_deeper_than_any_checkpoint_are_refused_without_recursing()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nested-{Guid.NewGuid():N}.pkl");
        try
        {
            // {((((1,),),)...): 2} with 100 levels of one-element tuples.
            var pickle = new List<byte> { 0x80, 0x02, (byte)'}', (byte)'K', 1 };
            pickle.AddRange(Enumerable.Repeat((byte)0x85, 100));
            pickle.AddRange([(byte)'K', 2, (byte)'s', (byte)'.']);
            File.WriteAllBytes(path, [.. pickle]);
            var error = Assert.Throws<EngineException>(() => CheckpointReader.Open(path));
            Assert.Contains("dict key nested more than 32 tuples deep", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_cli_exits_with_2_and_one_line_on_errors_and_0_on_success()
    {
        var output = Path.Combine(Path.GetTempPath(), $"cli-{Guid.NewGuid():N}.safetensors");
        try
        {
            var entry = typeof(PackageWriter).Assembly.EntryPoint!;
            int Run(params string[] args) => (int)entry.Invoke(null, [args])!;
            Assert.Equal(2, Run("convert", ConverterFixtures.File("image.png"), "-o", output));
            Assert.False(File.Exists(output));
            Assert.Equal(2, Run("inspect", ConverterFixtures.File("evil_os_system.pkl")));
            Assert.Equal(0, Run("inspect", ConverterFixtures.File("vnl_i3d_nl_affine.pkl")));
            Assert.Equal(0, Run("convert", ConverterFixtures.File("vnl_i3d_nl_affine.pkl"), "-o", output, "--labels", ConverterFixtures.File("labels.txt")));
            Assert.True(File.Exists(output));
        }
        finally
        {
            File.Delete(output);
        }
    }

    private static void ConvertToNothing(string file)
    {
        using var checkpoint = CheckpointReader.Open(ConverterFixtures.File(file));
        var model = DialectDetector.Map(checkpoint, new ConvertOptions());
        PackageWriter.EnsureComplete(model);
        foreach (var t in model.Tensors)
            t.Values();
    }
}
