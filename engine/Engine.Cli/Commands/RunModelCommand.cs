using System.CommandLine;
using Engine.Files;
using Engine.Gpu;
using Engine.Graph;
using Engine.Models;

namespace Engine.Cli.Commands;

/// <summary>
/// `engine run-model`: one preprocessed clip (float32 .npy, N x C x T x H x W) through a package's
/// network; writes the class probabilities (or logits) and any named tensor, in PyTorch layout.
/// </summary>
internal static class RunModelCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Weight package (.safetensors).", Required = true };
        var input = new Option<string>("--input") { Description = "Clip as float32 .npy of shape (N, C, T, H, W), already normalised.", Required = true };
        var output = new Option<string>("--output") { Description = "Where to write the class probabilities (.npy, shape (N, classes)).", Required = true };
        var logits = new Option<bool>("--logits") { Description = "Write the logits instead of the probabilities." };
        var dump = new Option<string[]>("--dump") { Description = "TENSOR=FILE.npy: also write a named tensor (e.g. res3.1.nonlocal) in PyTorch layout.", AllowMultipleArgumentsPerToken = true };
        var command = new Command("run-model", "Run a network on one clip and write its outputs as .npy.") { model, input, output, logits, dump };
        command.SetAction(result =>
        {
            var dumps = (result.GetValue(dump) ?? []).Select(d =>
            {
                var eq = d.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0 || eq == d.Length - 1)
                    throw new EngineException($"--dump '{d}': expected TENSOR=FILE.npy.");
                return (Tensor: d[..eq], File: d[(eq + 1)..]);
            }).ToArray();
            var clip = NpyArray.Read(result.GetValue(input)!);
            if (clip.Shape.Rank != 5 || clip.Shape[1] != 3)
                throw new EngineException($"{result.GetValue(input)}: clip {clip.Shape} must be (N, 3, T, H, W).");

            using var logging = CliOptions.Logging(result);
            using var device = Device.Create(CliOptions.DeviceOptions(result, logging));
            using var package = WeightPackage.Open(result.GetValue(model)!);
            var builder = ModelBuilder.Build(package, clip.Shape[0], clip.Shape[2], clip.Shape[3], clip.Shape[4]);
            using var graph = builder.Compile(device, new CompileOptions { Keep = dumps.Select(d => d.Tensor).ToArray() });
            graph.SetInput(VideoResNetBuilder.Input, clip.ToFloats());
            graph.Run();
            graph.ReadTorch(result.GetValue(logits) ? VideoResNetBuilder.Logits : VideoResNetBuilder.Probabilities).Write(result.GetValue(output)!);
            foreach (var (tensor, file) in dumps)
                graph.ReadTorch(tensor).Write(file);
            return 0;
        });
        return command;
    }
}
