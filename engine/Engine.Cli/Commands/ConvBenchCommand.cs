using System.CommandLine;
using Engine.Gpu;
using Engine.Ops;

namespace Engine.Cli.Commands;

/// <summary>
/// `engine bench conv`: convolution speed on the device, for choosing register tiles and comparing the
/// Winograd path with the direct kernel (--compare-direct). Either one
/// convolution (--input NxCxTxHxW --out C --kernel TxHxW ...) or every convolution of a ResNet-50
/// at 224x224 (--resnet50, torchvision layout, fused bias/ReLU/residual), one command buffer.
/// </summary>
internal static class ConvBenchCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--input") { Description = "Input N x C x T x H x W.", DefaultValueFactory = _ => "1x64x1x56x56" };
        var outChannels = new Option<int>("--out") { Description = "Output channels.", DefaultValueFactory = _ => 64 };
        var kernel = new Option<string>("--kernel") { Description = "Kernel T x H x W.", DefaultValueFactory = _ => "1x3x3" };
        var stride = new Option<string>("--stride") { Description = "Stride T x H x W.", DefaultValueFactory = _ => "1x1x1" };
        var padding = new Option<string>("--pad") { Description = "Padding T x H x W.", DefaultValueFactory = _ => "0x1x1" };
        var resnet = new Option<bool>("--resnet50") { Description = "All convolutions of ResNet-50 (batch 1, 224x224) instead of one." };
        var iterations = new Option<int>("--iters") { Description = "Timed runs after one warm-up.", DefaultValueFactory = _ => 10 };
        var tiling = new Option<Tiling>("--tiling")
        {
            Description = "Registers (shaders/ops/conv.comp, a register tile per invocation) or SharedMemory (shaders/ops/conv_shared.comp, a block per workgroup).",
            DefaultValueFactory = _ => Tiling.Registers,
        };
        var tileM = new Option<int?>("--tile-m") { Description = "Output pixels per invocation, or per workgroup with --tiling SharedMemory (default: chosen per layer; 64)." };
        var tileN4 = new Option<int?>("--tile-n4") { Description = "vec4 output channels per invocation, or per workgroup with --tiling SharedMemory (default: chosen per layer; 16)." };
        var winogradTile = new Option<int?>("--winograd-tile") { Description = "Winograd outputs per tile along each transformed axis, 2 or 4 (default: chosen per layer)." };
        var compareDirect = new Option<bool>("--compare-direct")
        {
            Description = "Also run every convolution with the direct kernel, alternating with the default path run by run, and print both medians and their ratio.",
        };
        var command = new Command("conv", "fp32 convolution (implicit GEMM) GPU time and GFLOP/s.")
        {
            input, outChannels, kernel, stride, padding, resnet, iterations, tiling, tileM, tileN4, winogradTile, compareDirect,
        };
        command.SetAction(result =>
        {
            using var logging = CliOptions.Logging(result);
            using var instance = CliOptions.Instance(result, logging);
            using var device = instance.CreateDevice(CliOptions.DeviceOptions(result, logging));
            var layers = result.GetValue(resnet)
                ? ResNet50()
                : [(Dims(result.GetValue(input)!, 5), new ConvSpec(Dims(result.GetValue(input)!, 5)[1], result.GetValue(outChannels),
                    Size(result.GetValue(kernel)!), Size(result.GetValue(stride)!), Size(result.GetValue(padding)!)), false)];
            var tensors = new List<Tensor>();
            var ops = new List<Conv>();
            var directOps = new List<Conv>();
            var compare = result.GetValue(compareDirect);
            var random = new Random(1);
            try
            {
                int Tile(ConvSpec spec) => result.GetValue(winogradTile) ?? WinogradConv.TileFor(spec);
                var scratchBytes = layers.Max(l => WinogradConv.ScratchBytes(device, l.Spec, ChannelsLast.Shape(l.Input[0], l.Input[2], l.Input[3], l.Input[4], l.Spec.InChannels), Tile(l.Spec)));
                var scratch = scratchBytes > 0 ? Track(tensors, device.CreateTensor("scratch", new Shape(checked((int)(scratchBytes / sizeof(float)))))) : null;
                foreach (var (dims, spec, residual) in layers)
                {
                    var inSize = new Size3(dims[2], dims[3], dims[4]);
                    var outSize = spec.OutputSize(inSize);
                    var xShape = ChannelsLast.Shape(dims[0], dims[2], dims[3], dims[4], spec.InChannels);
                    var x = Track(tensors, device.CreateTensor<float>("x", xShape, BenchCommand.RandomFloats(random, xShape.ElementCount, 0.1f)));
                    var weights = BenchCommand.RandomFloats(random, (long)spec.OutChannels * (spec.InChannels / spec.Groups) * spec.Kernel.Volume, 0.1f);
                    var w = Track(tensors, device.CreateTensor<float>("w", spec.PackedWeightShape, spec.PackWeights(weights)));
                    var u = spec.IsWinogradEligible
                        ? Track(tensors, device.CreateTensor<float>("u", WinogradConv.WeightShape(spec, Tile(spec)), WinogradConv.PackWeights(spec, weights, Tile(spec))))
                        : null;
                    var b = Track(tensors, device.CreateTensor<float>("b", new Shape(ChannelsLast.Padded(spec.OutChannels)),
                        BenchCommand.RandomFloats(random, ChannelsLast.Padded(spec.OutChannels), 0.1f)));
                    var yShape = ChannelsLast.Shape(dims[0], outSize.T, outSize.H, outSize.W, spec.OutChannels);
                    var y = Track(tensors, device.CreateTensor("y", yShape));
                    var r = residual ? Track(tensors, device.CreateTensor<float>("r", yShape, BenchCommand.RandomFloats(random, yShape.ElementCount, 0.1f))) : null;
                    var convTiling = spec.Groups > 1 ? Tiling.Registers : result.GetValue(tiling);
                    var (tm, tn) = (result.GetValue(tileM), result.GetValue(tileN4));
                    var direct = new Conv(device, spec, x, w, y, b, r, relu: true, tm, tn, name: spec.ToString(), tiling: convTiling);
                    // With explicit tiles or shared-memory tiling the direct kernel of that tiling is what is measured;
                    // otherwise what a graph runs (Winograd on large enough layers), or Winograd whenever a tile is forced.
                    var winograd = u is not null && convTiling == Tiling.Registers && tm is null && tn is null
                        && (result.GetValue(winogradTile) is not null || WinogradConv.Pays(spec, yShape, WinogradConv.DefaultMinFlops));
                    ops.Add(winograd ? new Conv(device, spec, x, w, u, y, scratch, b, r, relu: true, spec.ToString()) : direct);
                    directOps.Add(direct);
                }
                using var list = BenchRuns.Record(device, "bench conv", ops);
                using var directList = compare ? BenchRuns.Record(device, "bench conv direct", directOps) : null;
                var iters = result.GetValue(iterations);
                var (runs, directRuns) = BenchRuns.Alternate(device, list, directList, iters, t => t.Region);
                var gpu = runs.SelectMany(x => x.Gpu).ToList();
                Console.WriteLine($"device: {device.Info.Name}; {result.GetValue(tiling)} tiling, tile {result.GetValue(tileM)?.ToString() ?? "auto"} pixels x {(4 * result.GetValue(tileN4))?.ToString() ?? "auto"} channels");
                foreach (var op in ops.DistinctBy(o => o.Name))
                {
                    var count = ops.Count(o => o.Name == op.Name);
                    var ms = Statistics.Median(runs.SelectMany(x => x.Groups[op.Name]).ToList());
                    var line = $"{op.Name,-40} x{count,-2} {ms,8:0.00} ms {count * op.Flops / (ms * 1e6),7:0.0} GFLOP/s";
                    if (compare)
                    {
                        var directMs = Statistics.Median(directRuns.SelectMany(x => x.Groups[op.Name]).ToList());
                        var path = !op.UsesWinograd ? "direct" : op.Spec.Kernel.T == 3 ? $"winograd F({Tile(op.Spec)}, 3) in T" : $"winograd {Tile(op.Spec)}x{Tile(op.Spec)}";
                        line += $" {path}; direct {directMs,8:0.00} ms, ratio {ms / directMs:0.000}";
                    }
                    Console.WriteLine(line);
                }
                var total = Statistics.Median(gpu);
                Console.WriteLine($"total {ops.Sum(o => o.Flops) / 1e9:0.00} GFLOP, GFLOP/s {ops.Sum(o => o.Flops) / (total * 1e6):0.0}");
                // The fastest run is the steadier figure on a shared machine; the median is the one to report.
                Console.WriteLine($"fastest {gpu.Min():0.00} ms");
                BenchCommand.PrintCpu(runs.Average(x => x.CpuPerRun));
                if (compare)
                {
                    var directTotal = Statistics.Median(directRuns.SelectMany(x => x.Gpu).ToList());
                    BenchCommand.PrintCpu(directRuns.Average(x => x.CpuPerRun));
                    Console.WriteLine($"direct median {directTotal:0.00} ms over {directRuns.Count} runs; ratio {total / directTotal:0.000}");
                }
                Console.WriteLine($"median {total:0.00} ms over {gpu.Count} runs");
            }
            finally
            {
                foreach (var t in tensors)
                    t.Dispose();
            }
            return 0;
        });
        return command;
    }

    /// <summary>The convolutions of torchvision's ResNet-50 at 224x224: (input NCTHW, spec, residual fused).</summary>
    private static List<(int[] Input, ConvSpec Spec, bool Residual)> ResNet50()
    {
        var layers = new List<(int[], ConvSpec, bool)>
        {
            ([1, 3, 1, 224, 224], new ConvSpec(3, 64, Size3.Planar(7, 7), Size3.Planar(2, 2), Size3.Planar(3, 3, 0)), false),
        };
        var (channels, size) = (64, 56);
        foreach (var (width, blocks, firstStride) in new[] { (64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2) })
        {
            for (var block = 0; block < blocks; block++)
            {
                var stride = block == 0 ? firstStride : 1;
                var outSize = size / stride;
                layers.Add(([1, channels, 1, size, size], new ConvSpec(channels, width, Size3.Cube(1)), false));
                layers.Add(([1, width, 1, size, size], new ConvSpec(width, width, Size3.Planar(3, 3), Size3.Planar(stride, stride), Size3.Planar(1, 1, 0)), false));
                if (block == 0)
                    layers.Add(([1, channels, 1, size, size], new ConvSpec(channels, 4 * width, Size3.Cube(1), Size3.Planar(stride, stride)), false));
                layers.Add(([1, width, 1, outSize, outSize], new ConvSpec(width, 4 * width, Size3.Cube(1)), true));
                (channels, size) = (4 * width, outSize);
            }
        }
        return layers;
    }

    private static Tensor Track(List<Tensor> tensors, Tensor tensor)
    {
        tensors.Add(tensor);
        return tensor;
    }

    private static int[] Dims(string text, int rank)
    {
        var dims = text.Split('x').Select(int.Parse).ToArray();
        if (dims.Length != rank)
            throw new EngineException($"'{text}' must have {rank} sizes separated by 'x'.");
        return dims;
    }

    private static Size3 Size(string text)
    {
        var d = Dims(text, 3);
        return new Size3(d[0], d[1], d[2]);
    }
}
