using System.CommandLine;
using System.Diagnostics;
using Engine.Gpu;
using Engine.Ops;

namespace Engine.Cli.Commands;

/// <summary>`engine bench ...`: speed measured on the device (never in tests), printed as plain lines a script can parse.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks on the selected device.");
        command.Subcommands.Add(Gemm());
        command.Subcommands.Add(ConvBenchCommand.Create());
        command.Subcommands.Add(BenchNonLocalCommand.Create());
        return command;
    }

    private static Command Gemm()
    {
        var size = new Option<int>("--size") { Description = "M = N = K.", DefaultValueFactory = _ => 1024 };
        var iterations = new Option<int>("--iters") { Description = "Timed runs after one warm-up.", DefaultValueFactory = _ => 20 };
        var tileM = new Option<int>("--tile-m") { Description = "Rows per invocation.", DefaultValueFactory = _ => 8 };
        var tileN4 = new Option<int>("--tile-n4") { Description = "vec4 columns per invocation.", DefaultValueFactory = _ => 2 };
        var command = new Command("gemm", "fp32 GEMM C = A * B with the register-tiled texel-buffer kernel; prints GFLOP/s.")
        {
            size, iterations, tileM, tileN4,
        };
        command.SetAction(result =>
        {
            var n = result.GetValue(size);
            using var logging = CliOptions.Logging(result);
            using var device = Device.Create(CliOptions.DeviceOptions(result, logging));
            var random = new Random(1);
            var data = new float[n * n];
            foreach (ref var x in data.AsSpan())
                x = (float)(random.NextDouble() * 2 - 1);
            using var a = device.CreateTensor<float>("A", new Shape(n, n), data);
            using var b = device.CreateTensor<float>("B", new Shape(n, n), data);
            using var c = device.CreateTensor("C", new Shape(n, n));
            var gemm = new Gemm(device, a, b, c, tileM: result.GetValue(tileM), tileN4: result.GetValue(tileN4));
            using var list = device.CreateCommandList("bench gemm", profile: true);
            gemm.Record(list);
            list.Finish();
            device.Submit(list).Wait();

            var wall = new List<double>();
            var gpu = new List<double>();
            for (var i = 0; i < result.GetValue(iterations); i++)
            {
                var clock = Stopwatch.StartNew();
                device.Submit(list).Wait();
                wall.Add(clock.Elapsed.TotalMilliseconds);
                gpu.Add(list.Timings().Sum(t => t.Milliseconds));
            }
            var median = Median(wall);
            Console.WriteLine($"device: {device.Info.Name}");
            Console.WriteLine($"gemm {n}x{n}x{n} tile {result.GetValue(tileM)}x{4 * result.GetValue(tileN4)}: GPU median {Median(gpu):0.00} ms");
            Console.WriteLine($"GFLOP/s {gemm.Flops / (median * 1e6):0.0}");
            Console.WriteLine($"median {median:0.00} ms over {wall.Count} runs");
            return 0;
        });
        return command;
    }

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
