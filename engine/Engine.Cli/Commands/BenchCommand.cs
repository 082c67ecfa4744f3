using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Engine.Files;
using Engine.Gpu;
using Engine.Graph;
using Engine.Models;
using Engine.Models.Detection;

namespace Engine.Cli.Commands;

/// <summary>`engine bench ...`: speed measured on the device (never in tests), printed as plain lines a script can parse.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Weight package whose network to benchmark." };
        var clip = new Option<string>("--clip") { Description = "Clip geometry TxHxW (e.g. 8x224x224; 1x224x224 for a 2D network).", DefaultValueFactory = _ => "8x224x224" };
        var image = new Option<string>("--image") { Description = "Detectors: input image HxW (random RGB 0..1 unless --input).", DefaultValueFactory = _ => "800x1088" };
        var input = new Option<string?>("--input") { Description = "Detectors: the image to run, float32 (3, H, W) RGB 0..1 .npy (sets the size)." };
        var iterations = new Option<int>("--iters") { Description = "Timed runs after one warm-up.", DefaultValueFactory = _ => 10 };
        var compareDirect = new Option<bool>("--compare-direct")
        {
            Description = "Also compile the network with every convolution on the direct kernel (no Winograd), alternate the two run by run, and print both medians and their ratio.",
        };
        var compareUntuned = new Option<bool>("--compare-untuned")
        {
            Description = "Also compile the network on today's default kernels (ignoring the `engine tune` cache), alternate the two run by run, and print both medians, their ratio and the per-node times of the layers the cache changed.",
        };
        var compareFp32 = new Option<bool>("--compare-fp32")
        {
            Description = "With --precision fp16: also compile the network with fp32 weights, alternate the two run by run, and print both medians and their ratio.",
        };
        var command = new Command("bench", "Benchmarks on the selected device: `bench --model PACKAGE --clip TxHxW` (a detector: `--image HxW`), or `bench gemm`.")
        {
            model, clip, image, input, iterations, compareDirect, compareUntuned, compareFp32, CliOptions.Tune, CliOptions.Precision,
        };
        command.Subcommands.Add(GemmBenchCommand.Create());
        command.Subcommands.Add(ConvBenchCommand.Create());
        command.Subcommands.Add(BenchNonLocalCommand.Create());
        command.Subcommands.Add(BenchDetectionCommand.Create());
        command.SetAction(result =>
        {
            var path = result.GetValue(model) ?? throw new EngineException("bench: give --model PACKAGE (or a subcommand such as `bench gemm`).");
            using var package = WeightPackage.Open(path);
            if (new[] { compareDirect, compareUntuned, compareFp32 }.Count(result.GetValue) > 1)
                throw new EngineException("bench: --compare-direct, --compare-untuned and --compare-fp32 each alternate with one baseline; give one.");
            if (result.GetValue(compareFp32) && CliOptions.WeightStorage(result) != DataType.Float16)
                throw new EngineException("bench: --compare-fp32 compares fp16 weights with fp32 ones; give --precision fp16.");
            var storage = CliOptions.WeightStorage(result);
            var baseline = result.GetValue(compareDirect) ? Baseline.Direct.Storing(storage)
                : result.GetValue(compareUntuned) ? Baseline.Untuned.Storing(storage)
                : result.GetValue(compareFp32) ? Baseline.Fp32
                : null;
            return DetectorArchitecture.IsDetector(package.Metadata.Kind)
                ? Detector(result, package, result.GetValue(image)!, result.GetValue(input), result.GetValue(iterations), baseline)
                : Model(result, package, ParseClip(result.GetValue(clip)!), result.GetValue(iterations), baseline);
        });
        return command;
    }

    internal static (int T, int H, int W) ParseClip(string text)
    {
        var parts = text.Split('x');
        if (parts.Length != 3 || !parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0))
            throw new EngineException($"--clip '{text}': expected TxHxW, e.g. 8x224x224.");
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    /// <summary>Compiles the network once, runs it, prints the per-node table of the last run and the median wall time.</summary>
    private static int Model(ParseResult result, WeightPackage package, (int T, int H, int W) clip, int iterations, Baseline? baseline)
    {
        var input = RandomFloats(new Random(1), 3L * clip.T * clip.H * clip.W);
        var builder = () => ModelBuilder.Build(package, 1, clip.T, clip.H, clip.W);
        return Measure(result, package, builder, VideoResNetBuilder.Input, input, $"clip 1x3x{clip.T}x{clip.H}x{clip.W}", iterations, detector: false, baseline);
    }

    /// <summary>
    /// A detector package on one image: the per-node table, then the time per stage
    /// (<see cref="DetectorStages"/>, medians over the runs) as `stage NAME DISPATCHES MS ms PERCENT%` lines.
    /// </summary>
    private static int Detector(ParseResult result, WeightPackage package, string size, string? inputPath, int iterations, Baseline? baseline)
    {
        float[] input;
        int h, w;
        if (inputPath is not null)
        {
            var image = NpyArray.Read(inputPath);
            if (image.Shape.Rank != 3 || image.Shape[0] != 3)
                throw new EngineException($"--input {inputPath}: image {image.Shape} must be (3, H, W) RGB 0..1.");
            (h, w, input) = (image.Shape[1], image.Shape[2], image.ToFloats());
        }
        else
        {
            var parts = size.Split('x');
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out h)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out w) || h <= 0 || w <= 0)
                throw new EngineException($"--image '{size}': expected HxW, e.g. 800x1088.");
            var random = new Random(1);
            input = new float[3L * h * w];
            foreach (ref var v in input.AsSpan())
                v = random.NextSingle();
        }
        return Measure(result, package, () => DetectorBuilder.Build(package, h, w), DetectorBuilder.Input, input, $"image 3x{h}x{w}", iterations, detector: true, baseline);
    }

    private static int Measure(ParseResult result, WeightPackage package, Func<GraphBuilder> build, string inputName, float[] input, string geometry, int iterations,
        bool detector, Baseline? baseline)
    {
        if (iterations <= 0)
            throw new EngineException($"--iters {iterations}: at least one timed run.");
        using var logging = CliOptions.Logging(result);
        using var instance = CliOptions.Instance(result, logging);
        using var device = instance.CreateDevice(CliOptions.DeviceOptions(result, logging));
        var compileClock = Stopwatch.StartNew();
        var storage = CliOptions.WeightStorage(result);
        using var graph = build().Compile(device, new CompileOptions { Profile = true, WeightStorage = storage });
        var compileMs = compileClock.Elapsed.TotalMilliseconds;
        graph.SetInput(inputName, input);
        var warmClock = Stopwatch.StartNew();
        graph.Run();
        var warmMs = warmClock.Elapsed.TotalMilliseconds;
        using var direct = baseline is not null ? build().Compile(device, baseline.Options) : null;
        direct?.SetInput(inputName, input);
        direct?.Run();

        // Wall and CPU time come from plain runs; the per-node table from a few profiled runs after them,
        // since a timestamp after every dispatch slows a run (docs/bench-log.md, 2026-12-05).
        var (wall, cpuPerRun, directWall, directCpuPerRun) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
        var cpu = Statistics.ProcessCpuTime();
        for (var i = 0; i < iterations; i++)
        {
            // Alternating run by run is the only A/B that means anything on a shared machine; the order
            // flips every run (ABBA) because the first of two back-to-back runs tends to be slower.
            if (direct is not null && i % 2 == 1)
                TimeRun(direct, directWall, directCpuPerRun);
            TimeRun(graph, wall, cpuPerRun);
            if (direct is not null && i % 2 == 0)
                TimeRun(direct, directWall, directCpuPerRun);
        }
        var cpuMs = (Statistics.ProcessCpuTime() - cpu).TotalMilliseconds;
        var (profiles, directProfiles) = (new List<IReadOnlyList<NodeProfile>>(), new List<IReadOnlyList<NodeProfile>>());
        void ProfileRun(CompiledGraph g, List<IReadOnlyList<NodeProfile>> runs)
        {
            g.Run(profile: true);
            runs.Add(g.Profile());
        }
        for (var i = 0; i < ProfiledRuns; i++)
        {
            // The same ABBA order as the timed runs.
            if (direct is not null && i % 2 == 1)
                ProfileRun(direct, directProfiles);
            ProfileRun(graph, profiles);
            if (direct is not null && i % 2 == 0)
                ProfileRun(direct, directProfiles);
        }
        var gpu = profiles.Select(run => run.Sum(p => p.Milliseconds)).ToList();
        var directGpu = directProfiles.Select(run => run.Sum(p => p.Milliseconds)).ToList();

        var profile = profiles[^1];
        var total = profile.Sum(p => p.Milliseconds);
        Console.WriteLine($"device: {device.Info.Name}");
        Console.WriteLine($"model: {package.Path} {geometry}, {graph.DispatchCount} dispatches");
        Console.WriteLine(TuningLine(device));
        Console.WriteLine($"weights: {storage.NumpyName()}");
        Console.WriteLine($"{"node",-28} {"kind",-16} {"disp",4} {"ms",9} {"GFLOP",8} {"GFLOP/s",8} {"%",6}  variant");
        foreach (var p in profile)
            Console.WriteLine($"{p.Node,-28} {p.Kind,-16} {p.Dispatches,4} {p.Milliseconds,9:0.000} {p.Flops / 1e9,8:0.000} {p.GflopsPerSecond,8:0.0} {100 * p.Milliseconds / total,6:0.0}  {p.Variant}");
        foreach (var kind in profile.GroupBy(p => p.Kind).OrderByDescending(g => g.Sum(p => p.Milliseconds)))
            Console.WriteLine($"total {kind.Key,-22} {kind.Sum(p => p.Dispatches),4} {kind.Sum(p => p.Milliseconds),9:0.000} {kind.Sum(p => p.Flops) / 1e9,8:0.000} {kind.Sum(p => p.Flops) / (kind.Sum(p => p.Milliseconds) * 1e6),8:0.0} {100 * kind.Sum(p => p.Milliseconds) / total,6:0.0}");
        if (detector)
            PrintStages(graph, profiles);
        Console.WriteLine($"GPU total {Statistics.Median(gpu):0.00} ms (median of {gpu.Count} profiled runs), {graph.Flops / 1e9:0.00} GFLOP, {graph.Flops / (Statistics.Median(gpu) * 1e6):0.0} GFLOP/s");
        Console.WriteLine($"tensor memory: activations {graph.ActivationBytes / 1048576.0:0.0} MiB (peak live {graph.PeakLiveBytes / 1048576.0:0.0} MiB), weights {graph.WeightBytes / 1048576.0:0.0} MiB");
        Console.WriteLine($"compile {compileMs:0} ms, first run {warmMs:0} ms");
        if (direct is not null)
        {
            var pairs = wall.Zip(directWall, (w, d) => w / d).ToList();
            Console.WriteLine($"{baseline!.Label} median {Statistics.Median(directWall):0.00} ms over {directWall.Count} runs; ratio of medians {Statistics.Median(wall) / Statistics.Median(directWall):0.000}, "
                + $"median of run-pair ratios {Statistics.Median(pairs):0.000} (min {pairs.Min():0.000}, max {pairs.Max():0.000})");
            // CPU time (lavapipe's workers are this process's threads) follows the work, not the load.
            Console.WriteLine($"cpu median {Statistics.Median(cpuPerRun):0.0} ms per run, {baseline.Name} {Statistics.Median(directCpuPerRun):0.0} ms; ratio {Statistics.Median(cpuPerRun) / Statistics.Median(directCpuPerRun):0.000}");
            Console.WriteLine($"GPU total median {Statistics.Median(gpu):0.00} ms, {baseline.Name} {Statistics.Median(directGpu):0.00} ms; ratio {Statistics.Median(gpu) / Statistics.Median(directGpu):0.000}");
            if (baseline.Name == Baseline.Direct.Name)
                PrintWinogradNodes(profiles, directProfiles);
            else
                PrintChangedNodes(profiles, directProfiles, baseline.Name);
        }
        else
            PrintCpu(cpuMs / wall.Count);
        Console.WriteLine($"median {Statistics.Median(wall):0.00} ms over {wall.Count} runs");
        return 0;
    }

    /// <summary>Where the variants come from: `tuning: N shapes from FILE`, `tuning: none (...)` or `tuning: off`.</summary>
    internal static string TuningLine(Gpu.Device device)
    {
        var tuning = device.Tuning;
        if (tuning.Path is null)
            return "tuning: off (every layer on today's default kernels)";
        if (tuning.Ignored is { } reason)
            return $"tuning: none, {tuning.Path} ignored: {reason}";
        return tuning.Entries.Count == 0 ? $"tuning: none ({tuning.Path} absent; `engine tune` writes it)" : $"tuning: {tuning.Entries.Count} shapes from {tuning.Path}";
    }

    /// <summary>
    /// The nodes whose variant differs from the baseline graph's (the tuner's changes against `untuned`; against
    /// `fp32`, where the two weight types' tuned choices differ): each one's per-node GPU time median in both
    /// graphs, and their sum.
    /// </summary>
    private static void PrintChangedNodes(List<IReadOnlyList<NodeProfile>> profiles, List<IReadOnlyList<NodeProfile>> baselineProfiles, string baseline)
    {
        var baselineVariant = baselineProfiles[0].ToDictionary(p => p.Node, p => p.Variant);
        double NodeMedian(List<IReadOnlyList<NodeProfile>> runs, string node) => Statistics.Median([.. runs.Select(r => r.Single(p => p.Node == node).Milliseconds)]);
        var nodes = profiles[0].Where(p => p.Variant != baselineVariant[p.Node]).ToList();
        foreach (var p in nodes)
            Console.WriteLine($"changed node {p.Node}: {p.Variant} {NodeMedian(profiles, p.Node):0.000} ms, {baseline} {baselineVariant[p.Node]} {NodeMedian(baselineProfiles, p.Node):0.000} ms");
        if (nodes.Count > 0)
        {
            var (ms, baselineMs) = (nodes.Sum(p => NodeMedian(profiles, p.Node)), nodes.Sum(p => NodeMedian(baselineProfiles, p.Node)));
            Console.WriteLine($"changed nodes (x{nodes.Count}): {ms:0.00} ms, {baseline} {baselineMs:0.00} ms; ratio {ms / baselineMs:0.000}");
        }
    }

    /// <summary>What `--compare-direct` and `--compare-untuned` alternate with: a name for the figures, a label for the median line, the compile options.</summary>
    private sealed record Baseline(string Name, string Label, CompileOptions Options)
    {
        // The direct baseline runs no tuned variant either: every convolution on today's direct kernel.
        public static Baseline Direct { get; } = new("direct", "direct (no Winograd)",
            new CompileOptions { Profile = true, WinogradMinFlops = double.PositiveInfinity, Variants = new Dictionary<string, string>() });

        public static Baseline Untuned { get; } = new("untuned", "untuned (today's defaults)", new CompileOptions { Profile = true, Variants = new Dictionary<string, string>() });

        /// <summary>The measured graph with fp32 weights: the baseline of fp16 storage (each reads its own tuned choices).</summary>
        public static Baseline Fp32 { get; } = new("fp32", "fp32 weights", new CompileOptions { Profile = true });

        /// <summary>This baseline with weights stored as the measured graph's are.</summary>
        public Baseline Storing(DataType storage) => this with { Options = Options with { WeightStorage = storage } };
    }

    /// <summary>Profiled runs after the timed ones, for the per-node table and the GPU total.</summary>
    private const int ProfiledRuns = 3;

    private static void TimeRun(CompiledGraph graph, List<double> wall, List<double> cpuPerRun)
    {
        var (clock, cpu) = (Stopwatch.StartNew(), Statistics.ProcessCpuTime());
        graph.Run();
        wall.Add(clock.Elapsed.TotalMilliseconds);
        cpuPerRun.Add((Statistics.ProcessCpuTime() - cpu).TotalMilliseconds);
    }

    /// <summary>
    /// The nodes that ran as Winograd (more dispatches than in the direct graph): the sum of their
    /// per-node GPU time medians in both graphs. (Every Winograd node is 3 dispatches, so the count does
    /// not tell 1x3x3 from 3x1x1; `engine bench conv --compare-direct` compares single layers.)
    /// </summary>
    private static void PrintWinogradNodes(List<IReadOnlyList<NodeProfile>> profiles, List<IReadOnlyList<NodeProfile>> directProfiles)
    {
        var directDispatches = directProfiles[0].ToDictionary(p => p.Node, p => p.Dispatches);
        double NodeMedian(List<IReadOnlyList<NodeProfile>> runs, string node) => Statistics.Median([.. runs.Select(r => r.Single(p => p.Node == node).Milliseconds)]);
        var nodes = profiles[0].Where(p => p.Dispatches != directDispatches[p.Node]).ToList();
        if (nodes.Count == 0)
            return;
        var (ms, directMs) = (nodes.Sum(p => NodeMedian(profiles, p.Node)), nodes.Sum(p => NodeMedian(directProfiles, p.Node)));
        Console.WriteLine($"Winograd nodes (x{nodes.Count}, first {nodes[0].Node}): {ms:0.00} ms, direct {directMs:0.00} ms; ratio {ms / directMs:0.000}");
    }

    /// <summary>GPU time per detector stage, each the median over the runs, and the detections the last run found.</summary>
    private static void PrintStages(CompiledGraph graph, List<IReadOnlyList<NodeProfile>> profiles)
    {
        var perRun = profiles.Select(run => run.GroupBy(p => DetectorStages.Of(p.Node)).ToDictionary(g => g.Key, g => (Dispatches: g.Sum(p => p.Dispatches), Ms: g.Sum(p => p.Milliseconds)))).ToList();
        var stages = DetectorStages.All.Append(DetectorStages.Other).Where(perRun[0].ContainsKey).ToList();
        var medians = stages.ToDictionary(s => s, s => Statistics.Median([.. perRun.Select(r => r[s].Ms)]));
        var total = medians.Values.Sum();
        Console.WriteLine($"detections: {graph.Tensor(DetectorBuilder.Count).Download<uint>()[0]}");
        Console.WriteLine($"{"stage",-16} {"disp",5} {"ms",10} {"%",6}");
        foreach (var stage in stages)
            Console.WriteLine($"stage {stage,-10} {perRun[0][stage].Dispatches,5} {medians[stage],10:0.00} ms {100 * medians[stage] / total,5:0.0}%");
    }

    /// <summary>
    /// Prints the CPU time per run: on a CPU device (lavapipe) shared with other work, the work done is
    /// steadier than wall time, which waits for descheduled threads.
    /// </summary>
    internal static void PrintCpu(double millisecondsPerRun) =>
        Console.WriteLine($"cpu {millisecondsPerRun:0.0} ms per run (all threads of this process)");

    /// <summary>Uniform random values in [-scale, scale): inputs and weights of the single-kernel benches.</summary>
    internal static float[] RandomFloats(Random random, long count, float scale = 1)
    {
        var values = new float[count];
        foreach (ref var v in values.AsSpan())
            v = (float)(random.NextDouble() * 2 - 1) * scale;
        return values;
    }
}
