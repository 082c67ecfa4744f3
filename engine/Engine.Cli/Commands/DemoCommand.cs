using System.CommandLine;
using Engine.Gpu;
using Engine.Ops;

namespace Engine.Cli.Commands;

/// <summary>
/// `engine demo`: for now a compute smoke demo (device, one GEMM checked on the CPU); the live demo
/// on the synthetic scene replaces it once the video host exists.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var command = new Command("demo", "Run the demo on the selected device.");
        command.SetAction(result =>
        {
            using var logging = CliOptions.Logging(result);
            using var device = Device.Create(CliOptions.DeviceOptions(result, logging));
            Console.WriteLine($"device: {device.Info.Name} ({device.Info.TypeName}, Vulkan {device.Info.ApiVersion})");
            const int M = 123, K = 64, N = 96;
            var random = new Random(7);
            var a = Enumerable.Range(0, M * K).Select(_ => (float)random.NextDouble()).ToArray();
            var b = Enumerable.Range(0, K * N).Select(_ => (float)random.NextDouble()).ToArray();
            using var ta = device.CreateTensor<float>("A", new Shape(M, K), a);
            using var tb = device.CreateTensor<float>("B", new Shape(K, N), b);
            using var tc = device.CreateTensor("C", new Shape(M, N));
            var gemm = new Gemm(device, ta, tb, tc);
            device.Run(gemm.Record, "demo gemm");
            var c = tc.Download<float>();
            var worst = 0.0;
            for (var i = 0; i < M; i++)
            {
                for (var j = 0; j < N; j++)
                {
                    double s = 0;
                    for (var k = 0; k < K; k++)
                        s += a[i * K + k] * b[k * N + j];
                    worst = Math.Max(worst, Math.Abs(s - c[i * N + j]));
                }
            }
            Console.WriteLine($"gemm {M}x{K} * {K}x{N} on the GPU: max |error| vs CPU = {worst:0.0e+0}");
            return worst < 1e-3 ? 0 : 1;
        });
        return command;
    }
}
