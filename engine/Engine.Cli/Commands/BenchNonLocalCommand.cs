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
        var attention = new Option<string>("--attention")
        {
            Description = "Softmax attention kernel: blocked, fused, or compare (both, alternating run by run in this process).",
            DefaultValueFactory = _ => "blocked",
        };
        var queryTile = new Option<int>("--query-tile") { Description = "Queries per invocation of the fused kernel.", DefaultValueFactory = _ => NonLocalAttention.Fused.QueryTile };
        var keyChunk = new Option<int>("--key-chunk") { Description = "Keys per chunk of the fused kernel (a multiple of 4).", DefaultValueFactory = _ => NonLocalAttention.Fused.KeyChunk };
        var tiling = new Option<Tiling>("--tiling")
        {
            Description = "The block's GEMMs (theta, phi and g, the output): Registers (register tiles) or SharedMemory (shared-memory blocks).",
            DefaultValueFactory = _ => Tiling.Registers,
        };
        var command = new Command("nonlocal", "One non-local block (N = 1) with random weights; prints GPU time per kernel and GFLOP/s.")
        {
            clip, channels, variant, budget, iterations, attention, queryTile, keyChunk, tiling,
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
            var gemms = result.GetValue(tiling);
            var fused = new NonLocalAttention(AttentionKernel.Fused, result.GetValue(queryTile), result.GetValue(keyChunk), gemms);
            var blocked = NonLocalAttention.Default with { Gemms = gemms };
            var kernels = result.GetValue(attention) switch
            {
                "blocked" => new[] { blocked },
                "fused" => [fused],
                "compare" => [blocked, fused],
                var other => throw new EngineException($"--attention {other}: expected blocked, fused or compare."),
            };
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
            var budgetBytes = (long)result.GetValue(budget) << 20;
            var tensors = new List<Tensor>();
            var lists = new List<CommandList>();
            try
            {
                var blocks = new List<(NonLocalBlock Block, CommandList List, Tensor Z, Tensor Scratch)>();
                foreach (var kernel in kernels)
                {
                    var z = device.CreateTensor("z", shape);
                    tensors.Add(z);
                    var scratch = device.CreateTensor("scratch", new Shape((int)(NonLocalBlock.ScratchBytes(device, options, c, shape, budgetBytes, kernel) / 4)));
                    tensors.Add(scratch);
                    var block = new NonLocalBlock(device, x, z, uploaded.Weights, scratch, budgetBytes, attention: kernel);
                    var list = device.CreateCommandList($"bench nonlocal {block.Variant}", profile: true);
                    lists.Add(list);
                    block.Record(list);
                    list.Finish();
                    device.Submit(list).Wait();
                    blocks.Add((block, list, z, scratch));
                }
                if (blocks.Count == 2)
                {
                    // The two kernels compute the same z: a wrong kernel must not win a benchmark.
                    var (a, b) = (blocks[0].Z.Download<float>(), blocks[1].Z.Download<float>());
                    var worst = a.Zip(b, (p, q) => MathF.Abs(p - q)).Max();
                    Console.WriteLine($"max |z {blocks[0].Block.Variant} - z {blocks[1].Block.Variant}| = {worst:g3}");
                }

                var (runs, otherRuns) = BenchRuns.Alternate(device, blocks[0].List, blocks.Count == 2 ? blocks[1].List : null,
                    result.GetValue(iterations), t => t.Pipeline);
                Console.WriteLine($"device: {device.Info.Name}");
                Console.WriteLine($"input {shape}, channels {c}, {result.GetValue(variant)}");
                for (var i = 0; i < blocks.Count; i++)
                {
                    var (block, list, _, scratch) = blocks[i];
                    var measured = i == 0 ? runs : otherRuns;
                    var wall = Statistics.Median(measured.SelectMany(r => r.Wall).ToList());
                    var gpu = Statistics.Median(measured.SelectMany(r => r.Gpu).ToList());
                    Console.WriteLine($"{block.Variant}: key blocks {block.KeyBlocks}, query chunks {block.QueryChunks}{(block.Factored ? ", factored theta (phi^T g)" : "")}, " +
                        $"dispatches {list.DispatchCount}, scratch {scratch.ByteExtent >> 20} MiB");
                    var groups = measured.SelectMany(r => r.Groups).GroupBy(p => p.Key, p => p.Value);
                    foreach (var group in groups.Select(g => (g.Key, Ms: Statistics.Median(g.SelectMany(v => v).ToList()))).OrderByDescending(g => g.Ms))
                        Console.WriteLine($"  {group.Key,-28} {group.Ms,9:0.00} ms");
                    Console.WriteLine($"  GPU median {gpu:0.00} ms, GFLOP/s {block.Flops / (wall * 1e6):0.0}");
                    Console.Write("  ");
                    BenchCommand.PrintCpu(measured.Average(r => r.CpuPerRun));
                    Console.WriteLine($"  median {wall:0.00} ms over {measured.Sum(r => r.Wall.Count)} runs");
                }
            }
            finally
            {
                foreach (var list in lists)
                    list.Dispose();
                foreach (var tensor in tensors)
                    tensor.Dispose();
            }
            return 0;
        });
        return command;
    }
}
