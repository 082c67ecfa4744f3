using System.CommandLine;
using Engine.Gpu;
using Engine.Ops;

namespace Engine.Cli.Commands;

/// <summary>
/// `engine bench gemm`: the register-tiled GEMM on the device, one matrix or a batch (--batch B) in one
/// dispatch, laid out as <see cref="WinogradConv"/> lays out its V, U and M (each matrix in a slab at the
/// binding alignment); --compare-separate also records the B matrices as B one-matrix GEMMs on views of
/// the same slabs (what Winograd recorded before its GEMMs were batched) and alternates the two.
/// </summary>
internal static class GemmBenchCommand
{
    public static Command Create()
    {
        var shape = new Option<string>("--shape") { Description = "M x K x N of each matrix product.", DefaultValueFactory = _ => "1024x1024x1024" };
        var batch = new Option<int>("--batch") { Description = "Matrix products, one dispatch (split only past the z workgroup limit).", DefaultValueFactory = _ => 1 };
        var iterations = new Option<int>("--iters") { Description = "Timed runs after one warm-up.", DefaultValueFactory = _ => 20 };
        var tiling = new Option<Tiling>("--tiling")
        {
            Description = "Registers (shaders/gemm.comp, a register tile per invocation) or SharedMemory (shaders/gemm_shared.comp, a block per workgroup).",
            DefaultValueFactory = _ => Tiling.Registers,
        };
        var tileM = new Option<int?>("--tile-m") { Description = "Rows per invocation, or per workgroup with --tiling SharedMemory (default: as Winograd chooses for M; 64)." };
        var tileN4 = new Option<int?>("--tile-n4") { Description = "vec4 columns per invocation, or per workgroup with --tiling SharedMemory (default: as Winograd chooses for N; 16)." };
        var compareSeparate = new Option<bool>("--compare-separate")
        {
            Description = "Also run the batch as B separate GEMMs, alternating with the batched one run by run, and print both medians and their ratio.",
        };
        var command = new Command("gemm", "fp32 GEMM C[b] = A[b] * B[b] with the register-tiled texel-buffer kernel or the shared-memory one; prints GPU time and GFLOP/s.")
        {
            shape, batch, iterations, tiling, tileM, tileN4, compareSeparate,
        };
        command.SetAction(result =>
        {
            var dims = result.GetValue(shape)!.Split('x').Select(d => int.TryParse(d, out var v) && v > 0 ? v : 0).ToArray();
            if (dims.Length != 3 || dims.Contains(0))
                throw new EngineException($"--shape '{result.GetValue(shape)}': expected MxKxN, e.g. 1568x64x64.");
            var (m, k, n, count) = (dims[0], dims[1], dims[2], result.GetValue(batch));
            if (count <= 0)
                throw new EngineException($"--batch {count}: give at least one matrix.");
            using var logging = CliOptions.Logging(result);
            using var instance = CliOptions.Instance(result, logging);
            using var device = instance.CreateDevice(CliOptions.DeviceOptions(result, logging));
            var gemmTiling = result.GetValue(tiling);
            var (tm, tn) = gemmTiling == Tiling.SharedMemory
                ? (result.GetValue(tileM) ?? Gemm.DefaultSharedBlock.TileM, result.GetValue(tileN4) ?? Gemm.DefaultSharedBlock.TileN4)
                : (result.GetValue(tileM) ?? ConvDefaults.RowTile(m), result.GetValue(tileN4) ?? ConvDefaults.ColumnTile(n / 4));
            var random = new Random(1);
            using var a = Slabs(device, random, "A", count, m, k);
            using var b = Slabs(device, random, "B", count, k, n);
            using var c = Slabs(device, random, "C", count, m, n);
            var batched = new Gemm(device, a.View, b.View, c.View, tileM: tm, tileN4: tn, name: "batched", tiling: gemmTiling);
            using var list = BenchRuns.Record(device, "bench gemm", [batched]);
            var compare = result.GetValue(compareSeparate);
            using var separateList = compare
                ? BenchRuns.Record(device, "bench gemm separate", [.. Enumerable.Range(0, count).Select(z =>
                    new Gemm(device, a.Matrix(z), b.Matrix(z), c.Matrix(z), tileM: tm, tileN4: tn, name: "separate", tiling: gemmTiling))])
                : null;

            var iters = result.GetValue(iterations);
            var (runs, separateRuns) = BenchRuns.Alternate(device, list, separateList, iters, t => t.Region);
            var (gpu, wall) = (Statistics.Median([.. runs.SelectMany(r => r.Gpu)]), Statistics.Median([.. runs.SelectMany(r => r.Wall)]));
            Console.WriteLine($"device: {device.Info.Name}");
            Console.WriteLine($"gemm {count} x {m}x{k}x{n} {batched.Variant}: {batched.Dispatches} dispatch(es), GPU median {gpu:0.000} ms, "
                + $"GFLOP/s {batched.Flops / (gpu * 1e6):0.0}; wall median {wall:0.000} ms");
            BenchCommand.PrintCpu(runs.Average(r => r.CpuPerRun));
            if (compare)
            {
                var separateGpu = Statistics.Median([.. separateRuns.SelectMany(r => r.Gpu)]);
                var separateWall = Statistics.Median([.. separateRuns.SelectMany(r => r.Wall)]);
                Console.WriteLine($"separate {count} dispatches: GPU median {separateGpu:0.000} ms, GFLOP/s {batched.Flops / (separateGpu * 1e6):0.0}; wall median {separateWall:0.000} ms");
                BenchCommand.PrintCpu(separateRuns.Average(r => r.CpuPerRun));
                Console.WriteLine($"ratio batched / separate: GPU {gpu / separateGpu:0.000}, wall {wall / separateWall:0.000}");
            }
            Console.WriteLine($"median {gpu:0.000} ms over {runs.Sum(r => r.Gpu.Count)} runs");
            return 0;
        });
        return command;
    }

    /// <summary>Random matrices (rows, cols), each in a slab starting at a multiple of the binding alignment.</summary>
    private static SlabTensor Slabs(Device device, Random random, string name, int count, int rows, int cols)
    {
        var alignFloats = (long)device.BindingAlignment / sizeof(float);
        var stride = (rows * (long)cols + alignFloats - 1) / alignFloats * alignFloats;
        var owner = device.CreateTensor<float>(name, new Shape(checked((int)(count * stride))), BenchCommand.RandomFloats(random, count * stride, 0.1f));
        return new SlabTensor(owner, stride, rows, cols, count);
    }

    private sealed record SlabTensor(Tensor Owner, long Stride, int Rows, int Cols, int Count) : IDisposable
    {
        public Tensor View => new(Owner.Buffer, Owner.ByteOffset, new Shape(Count, Rows, Cols), DataType.Float32, Owner.Name, [Stride, Cols, 1]);

        public Tensor Matrix(int z) =>
            new(Owner.Buffer, Owner.ByteOffset + (ulong)(z * Stride * sizeof(float)), new Shape(Rows, Cols), DataType.Float32, $"{Owner.Name}{z}");

        public void Dispose() => Owner.Dispose();
    }
}
