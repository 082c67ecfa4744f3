using System.CommandLine;
using System.Text.Json;
using Engine.Gpu;
using Engine.Models;
using Engine.Ops;

namespace Engine.Cli.Commands;

/// <summary>`engine bench nonlocal ...`: one non-local block with random weights, GPU time per kernel and the median wall time.</summary>
internal static class BenchNonLocalCommand
{
    public static Command Create()
    {
        var clip = new Option<string>("--clip") { Description = "Input frames x height x width at the block.", DefaultValueFactory = _ => "4x14x14" };
        var channels = new Option<int>("--channels") { Description = "Input channels C.", DefaultValueFactory = _ => 1024 };
        var variant = new Option<string>("--variant")
        {
            Description = "The package's `nonlocal` JSON entry.",
            DefaultValueFactory = _ => """{"instantiation": "embedded_gaussian", "scale": true, "inner": 512, "subsample": "pool_then_conv", "pool": [1, 2, 2]}""",
        };
        var budget = new Option<int>("--budget-mib") { Description = "Attention scratch budget (MiB).", DefaultValueFactory = _ => (int)(NonLocalBlock.DefaultAttentionBudget >> 20) };
        var iterations = new Option<int>("--iters") { Description = "Timed runs after one warm-up.", DefaultValueFactory = _ => 10 };
        var command = new Command("nonlocal", "One non-local block (N = 1) with random weights; prints GPU time per kernel and GFLOP/s.")
        {
            clip, channels, variant, budget, iterations,
        };
        command.SetAction(result =>
        {
            var dims = result.GetValue(clip)!.Split('x').Select(int.Parse).ToArray();
            if (dims.Length != 3)
                throw new EngineException($"--clip {result.GetValue(clip)}: expected TxHxW.");
            using var json = JsonDocument.Parse(result.GetValue(variant)!);
            var options = NonLocalJson.Parse(json.RootElement);
            var c = result.GetValue(channels);
            var cp = (c + 3) / 4 * 4;
            using var logging = CliOptions.Logging(result);
            using var instance = CliOptions.Instance(result, logging);
            using var device = instance.CreateDevice(CliOptions.DeviceOptions(result, logging));
            var random = new Random(1);
            using var uploaded = new UploadedNonLocalWeights(device, options, c, name =>
            {
                var count = name switch
                {
                    "out.bias" => c,
                    "out.weight" => c * options.Inner,
                    "concat_project.weight" => 2 * options.Inner,
                    _ when name.EndsWith(".bias", StringComparison.Ordinal) => options.Inner,
                    _ => options.Inner * c,
                };
                return BenchCommand.RandomFloats(random, count, 1 / MathF.Sqrt(c));
            });
            var shape = new Shape(1, dims[0], dims[1], dims[2], cp);
            using var x = device.CreateTensor<float>("x", shape, BenchCommand.RandomFloats(random, (int)shape.ElementCount, 1));
            using var z = device.CreateTensor("z", shape);
            var budgetBytes = (long)result.GetValue(budget) << 20;
            using var scratch = device.CreateTensor("scratch", new Shape((int)(NonLocalBlock.ScratchBytes(device, options, c, shape, budgetBytes) / 4)));
            var block = new NonLocalBlock(device, x, z, uploaded.Weights, scratch, budgetBytes);
            using var list = device.CreateCommandList("bench nonlocal", profile: true);
            block.Record(list);
            list.Finish();
            device.Submit(list).Wait();

            var runs = BenchRuns.Measure(device, list, result.GetValue(iterations), t => t.Pipeline);
            var median = BenchCommand.Median(runs.Wall);
            Console.WriteLine($"device: {device.Info.Name}");
            Console.WriteLine($"input {shape}, channels {c}, {result.GetValue(variant)}");
            Console.WriteLine($"key blocks {block.KeyBlocks}, query chunks {block.QueryChunks}{(block.Factored ? ", factored theta (phi^T g)" : "")}, dispatches {list.DispatchCount}, scratch {scratch.ByteExtent >> 20} MiB");
            foreach (var (kernel, times) in runs.Groups.OrderByDescending(p => BenchCommand.Median(p.Value)))
                Console.WriteLine($"  {kernel,-28} {BenchCommand.Median(times),9:0.00} ms");
            Console.WriteLine($"GFLOP/s {block.Flops / (median * 1e6):0.0}");
            BenchCommand.PrintCpu(runs.CpuPerRun);
            Console.WriteLine($"median {median:0.00} ms over {runs.Wall.Count} runs");
            return 0;
        });
        return command;
    }
}
