using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static Engine.Tests.Cli.CliProcess;

namespace Engine.Tests.Tuning;

/// <summary>`engine tune` on a tiny network writes the device's cache, and `engine bench` then runs and reports its choices.</summary>
public sealed partial class TuneCommandTests : IDisposable
{
    private readonly DirectoryInfo _cache = Directory.CreateTempSubdirectory("engine-tune-");

    private static string Model => Path.Combine(Fixtures.Dir("networks"), "c2d_tiny.safetensors");

    [Fact]
    public void Tune_writes_a_cache_whose_choices_bench_runs_and_reports_per_node_and_no_tuning_ignores()
    {
        var tune = RunEngineWithCache(_cache.FullName, "tune", "--model", Model, "--clip", "3x33x29", "--rounds", "2");
        Assert.True(tune.Code == 0, tune.Stderr);
        Assert.Matches(@"tuned \d+ shapes in [0-9.]+ s", tune.Stdout);
        Assert.Contains("shape conv ", tune.Stdout, StringComparison.Ordinal);
        Assert.Contains("<- pick", tune.Stdout, StringComparison.Ordinal);
        var file = Assert.Single(Directory.GetFiles(_cache.FullName, "tuning-*.json"));
        using var json = JsonDocument.Parse(File.ReadAllText(file));
        var choices = json.RootElement.GetProperty("shapes").EnumerateObject().Select(s => s.Value.GetProperty("choice").GetString()!).ToHashSet();
        Assert.NotEmpty(choices);

        // A tune on this machine may keep every default, which would leave the checks below vacuous:
        // the first shape is edited to a known non-default candidate, which bench must run and report.
        var edited = JsonNode.Parse(File.ReadAllText(file))!;
        var shape = edited["shapes"]!.AsObject().First().Value!;
        var forced = shape["candidates"]!.AsArray().Select(c => c!["variant"]!.GetValue<string>()).First(v => v != shape["default"]!.GetValue<string>());
        shape["choice"] = forced;
        File.WriteAllText(file, edited.ToJsonString());
        choices = edited["shapes"]!.AsObject().Select(s => s.Value!["choice"]!.GetValue<string>()).ToHashSet();

        var bench = RunEngineWithCache(_cache.FullName, "bench", "--model", Model, "--clip", "3x33x29", "--iters", "2", "--compare-untuned");
        Assert.True(bench.Code == 0, bench.Stderr);
        Assert.Matches(@"untuned \(today's defaults\) median [0-9.]+ ms over 2 runs", bench.Stdout);
        Assert.Contains($"tuning: {json.RootElement.GetProperty("shapes").EnumerateObject().Count()} shapes from {file}", bench.Stdout, StringComparison.Ordinal);
        // Every shape of the cache came from a node of this network, so each choice runs on some node.
        var variants = Variants(bench.Stdout);
        Assert.Subset(variants, choices);
        Assert.Contains(forced, variants);
        Assert.Matches($@"changed node \S+: {Regex.Escape(forced)} [0-9.]+ ms, untuned ", bench.Stdout);

        var untuned = RunEngineWithCache(_cache.FullName, "bench", "--model", Model, "--clip", "3x33x29", "--iters", "1", "--no-tuning");
        Assert.True(untuned.Code == 0, untuned.Stderr);
        Assert.Contains("tuning: off", untuned.Stdout, StringComparison.Ordinal);
        Assert.Contains("stem.conv", untuned.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Fp16_weights_are_tuned_and_cached_apart_from_fp32_ones()
    {
        var half = RunEngineWithCache(_cache.FullName, "tune", "--model", Model, "--clip", "3x33x29", "--rounds", "1", "--precision", "fp16");
        Assert.True(half.Code == 0, half.Stderr);
        var file = Assert.Single(Directory.GetFiles(_cache.FullName, "tuning-*.json"));
        string[] Keys() => [.. JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("shapes").EnumerateObject().Select(s => s.Name)];
        var halfKeys = Keys();
        Assert.NotEmpty(halfKeys);
        Assert.All(halfKeys, k => Assert.EndsWith(" weights float16", k, StringComparison.Ordinal));

        var full = RunEngineWithCache(_cache.FullName, "tune", "--model", Model, "--clip", "3x33x29", "--rounds", "1");
        Assert.True(full.Code == 0, full.Stderr);
        // The same shapes once more, under fp32 keys; the fp16 entries stay.
        var keys = Keys();
        Assert.Equal(2 * halfKeys.Length, keys.Length);
        Assert.Subset(keys.ToHashSet(), halfKeys.ToHashSet());
        Assert.Equal(halfKeys.Select(k => k[..^" weights float16".Length]).Order(), keys.Except(halfKeys).Order());
    }

    [Fact]
    public void Tune_with_no_tuning_is_refused()
    {
        var tune = RunEngineWithCache(_cache.FullName, "tune", "--model", Model, "--clip", "3x33x29", "--rounds", "1", "--no-tuning");
        Assert.NotEqual(0, tune.Code);
        Assert.Contains("--no-tuning", tune.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_cache.FullName, "tuning-*.json"));
    }

    /// <summary>The variant column of bench's per-node table (conv rows).</summary>
    private static HashSet<string> Variants(string stdout) =>
        [.. stdout.Split('\n').Select(l => ConvRow().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value.Trim())];

    [GeneratedRegex(@"^\S+\s+Conv\s+\d+\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+\s+(\S.*)$")]
    private static partial Regex ConvRow();

    public void Dispose() => _cache.Delete(recursive: true);
}
