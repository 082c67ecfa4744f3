using Engine.Files;
using Engine.Tests.Cli;

namespace Engine.Tests.Bench;

/// <summary>
/// tools/bench/OnnxRuntimeBench, the ONNX Runtime column of tools/bench/compare_torch.py: the network it
/// times must compute what torch computes, from the input it is given. Nothing here is timed.
/// </summary>
public sealed class OnnxRuntimeBenchTests
{
    /// <summary>Built with this test project (which builds but does not reference it), in this run's configuration.</summary>
    private static string Tool => Path.Combine(Fixtures.RepoRoot, "artifacts", "bin", "OnnxRuntimeBench", new DirectoryInfo(AppContext.BaseDirectory).Name, "onnxruntime-bench.dll");

    [Theory]
    [InlineData("nl_i3d")]
    [InlineData("residual_2d")]
    public void Output_of_a_network_exported_by_the_bench_matches_torch(string network)
    {
        var dir = Fixtures.Dir("onnx_runtime");
        var output = Path.Combine(Path.GetTempPath(), $"onnxruntime-bench-{Guid.NewGuid():N}.npy");
        try
        {
            var (code, stdout, stderr) = CliProcess.RunDll(Tool,
                "--model", Path.Combine(dir, $"{network}.onnx"), "--input", Path.Combine(dir, $"{network}.input.npy"), "--output", output, "--iters", "2");
            Assert.True(code == 0, $"exit {code}: {stderr}");
            // The line compare_torch.py reads, as `engine bench` prints it.
            Assert.Matches(@"(?m)^median [0-9.]+ ms over 2 runs$", stdout);
            var expected = Fixtures.Npy("onnx_runtime", $"{network}.output");
            var actual = NpyArray.Read(output);
            Assert.Equal(expected.Shape, actual.Shape);
            var worst = expected.ToFloats().Zip(actual.ToFloats(), (e, a) => Math.Abs(e - a)).Max();
            Assert.True(worst < 1e-4f, $"{network}: largest difference from torch {worst}");
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public void Random_input_takes_the_model_shape_and_a_shape_that_does_not_fit_is_one_line()
    {
        var model = Path.Combine(Fixtures.Dir("onnx_runtime"), "residual_2d.onnx");
        var (code, stdout, stderr) = CliProcess.RunDll(Tool, "--model", model, "--iters", "1", "--threads", "1");
        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.Contains("input input 1x3x27x21", stdout);

        (code, stdout, stderr) = CliProcess.RunDll(Tool, "--model", model, "--shape", "1x3x21x27");
        Assert.Equal(2, code);
        Assert.Equal("onnxruntime-bench: --shape 1x3x21x27: shape 1x3x21x27 does not fit the model's input 1x3x27x21.", stderr.Trim());
        Assert.Empty(stdout);
    }
}
