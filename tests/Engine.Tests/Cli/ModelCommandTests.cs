using System.Globalization;
using System.Text.RegularExpressions;
using Engine.Files;
using Engine.Tests.Models;
using static Engine.Tests.Cli.CliProcess;

namespace Engine.Tests.Cli;

/// <summary>`engine run-model` and `engine bench --model` as a user runs them (a child process, no validation layer).</summary>
public sealed class ModelCommandTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("engine-cli-");

    private static string Fixture(string file) => Path.Combine(Fixtures.Dir("networks"), file);

    [Fact]
    public void Run_model_writes_probabilities_logits_and_dumps_in_pytorch_layout()
    {
        var probs = Path.Combine(_work.FullName, "probs.npy");
        var dump = Path.Combine(_work.FullName, "res3.npy");
        var run = RunEngine("run-model", "--model", Fixture("c2d_tiny.safetensors"), "--input", Fixture("c2d_tiny.input.npy"), "--output", probs,
            "--dump", $"res3.0={dump}");
        Assert.True(run.Code == 0, run.Stderr);
        VideoResNetTests.AssertClose(Fixtures.Npy("networks", "c2d_tiny.probs"), NpyArray.Read(probs), "c2d_tiny probs", 1e-4);
        VideoResNetTests.AssertClose(Fixtures.Npy("networks", "c2d_tiny.res3.0"), NpyArray.Read(dump), "c2d_tiny res3.0", 1e-4);

        var logits = Path.Combine(_work.FullName, "logits.npy");
        run = RunEngine("run-model", "--model", Fixture("c2d_tiny.safetensors"), "--input", Fixture("c2d_tiny.input.npy"), "--output", logits, "--logits");
        Assert.True(run.Code == 0, run.Stderr);
        VideoResNetTests.AssertClose(Fixtures.Npy("networks", "c2d_tiny.logits"), NpyArray.Read(logits), "c2d_tiny logits", 1e-4);
    }

    [Fact]
    public void Run_model_with_fp16_weights_reports_its_distance_from_fp32()
    {
        var probs = Path.Combine(_work.FullName, "probs16.npy");
        var run = RunEngine("run-model", "--model", Fixture("c2d_tiny.safetensors"), "--input", Fixture("c2d_tiny.input.npy"), "--output", probs,
            "--precision", "fp16", "--compare-fp32");
        Assert.True(run.Code == 0, run.Stderr);
        var line = Regex.Match(run.Stdout, @"fp16 weights against fp32: logits max \|diff\| (\S+) \((\S+) of the largest \|logit\| \S+\), "
            + @"probabilities max \|diff\| (\S+), top-1 agreement (\d+)/(\d+) clips, top-5 overlap (\S+)/5");
        Assert.True(line.Success, run.Stdout);
        double Number(int group) => double.Parse(line.Groups[group].Value, CultureInfo.InvariantCulture);
        // Rounding each weight by at most 2^-11 of itself moves the logits by about that share, far from 0 and far below 1%.
        Assert.InRange(Number(2), 1e-7, 1e-2);
        Assert.Equal(line.Groups[5].Value, line.Groups[4].Value);
        // The written probabilities are fp16's, within the same distance of torch's fp32 ones.
        VideoResNetTests.AssertClose(Fixtures.Npy("networks", "c2d_tiny.probs"), NpyArray.Read(probs), "c2d_tiny probs, fp16 weights", 1e-2);

        var refused = RunEngine("run-model", "--model", Fixture("c2d_tiny.safetensors"), "--input", Fixture("c2d_tiny.input.npy"), "--output", probs, "--compare-fp32");
        Assert.Equal(2, refused.Code);
        Assert.Matches("^error: .*--precision fp16", refused.Stderr);
    }

    [Fact]
    public void Run_model_names_an_unknown_dump_tensor_in_one_line()
    {
        var run = RunEngine("run-model", "--model", Fixture("c2d_tiny.safetensors"), "--input", Fixture("c2d_tiny.input.npy"),
            "--output", Path.Combine(_work.FullName, "p.npy"), "--dump", $"res9.9={Path.Combine(_work.FullName, "x.npy")}");
        Assert.Equal(2, run.Code);
        Assert.Matches("^error: .*'res9.9'", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_prints_the_per_node_table_and_ends_with_the_median_line()
    {
        var run = RunEngine("bench", "--model", Fixture("c2d_tiny.safetensors"), "--clip", "3x33x29", "--iters", "3");
        Assert.True(run.Code == 0, run.Stderr);
        Assert.Contains("stem.conv", run.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"GPU total [0-9.]+ ms \(median of 3 profiled runs\), [0-9.]+ GFLOP", run.Stdout);
        Assert.Matches(@"tensor memory: activations [0-9.]+ MiB", run.Stdout);
        Assert.Matches(@"median [0-9]+\.[0-9]{2} ms over 3 runs\n?$", run.Stdout);
    }

    [Fact]
    public void Bench_compare_direct_alternates_both_graphs_and_reports_their_ratios()
    {
        var run = RunEngine("bench", "--model", Fixture("c2d_tiny.safetensors"), "--clip", "3x33x29", "--iters", "2", "--compare-direct");
        Assert.True(run.Code == 0, run.Stderr);
        Assert.Matches(@"direct \(no Winograd\) median [0-9.]+ ms over 2 runs; ratio of medians [0-9.]+", run.Stdout);
        Assert.Matches(@"GPU total median [0-9.]+ ms, direct [0-9.]+ ms; ratio [0-9.]+", run.Stdout);
        Assert.Matches(@"median [0-9]+\.[0-9]{2} ms over 2 runs\n?$", run.Stdout);
    }

    [Fact]
    public void Bench_compare_fp32_alternates_fp16_and_fp32_weights()
    {
        var run = RunEngine("bench", "--model", Fixture("c2d_tiny.safetensors"), "--clip", "3x33x29", "--iters", "2", "--precision", "fp16", "--compare-fp32");
        Assert.True(run.Code == 0, run.Stderr);
        Assert.Contains("weights: float16", run.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"fp32 weights median [0-9.]+ ms over 2 runs; ratio of medians [0-9.]+", run.Stdout);
        Assert.Matches(@"median [0-9]+\.[0-9]{2} ms over 2 runs\n?$", run.Stdout);
    }

    [Fact]
    public void Bench_nonlocal_compare_alternates_blocked_and_fused_attention_and_checks_they_agree()
    {
        var run = RunEngine("bench", "nonlocal", "--clip", "2x9x10", "--channels", "16", "--iters", "2", "--attention", "compare", "--key-chunk", "8",
            "--variant", """{"instantiation": "embedded_gaussian", "scale": true, "inner": 8, "subsample": "conv_then_pool", "pool": [1, 2, 2]}""");
        Assert.True(run.Code == 0, run.Stderr);
        // 2 x 4 x 5 = 40 keys: 5 chunks of 8.
        var difference = Regex.Match(run.Stdout, @"max \|z attention blocked - z attention fused q16 k8\| = (\S+)");
        Assert.True(difference.Success, run.Stdout);
        Assert.True(double.Parse(difference.Groups[1].Value, CultureInfo.InvariantCulture) < 1e-4, run.Stdout);
        Assert.Matches(@"attention blocked: key blocks 1, query chunks 1, dispatches 8", run.Stdout);
        Assert.Matches(@"attention fused q16 k8: key blocks 1, query chunks 1, dispatches 6", run.Stdout);
        Assert.Matches(@"nonlocal/fused +[0-9.]+ ms", run.Stdout);
        Assert.Matches(@"median [0-9]+\.[0-9]{2} ms over 2 runs\n?$", run.Stdout);
    }

    public void Dispose() => _work.Delete(recursive: true);
}
