using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Engine.Graph;
using Engine.Models;
using Engine.Models.Detection;
using Engine.Tuning;

namespace Engine.Cli.Commands;

/// <summary>
/// `engine tune --model PACKAGE [--clip TxHxW] [--rounds R]`: builds the network as `engine bench` does,
/// times every variant of each distinct tunable layer shape on the device (<see cref="GraphTuner"/>),
/// prints a table per shape and writes the device's tuning cache, which bench, run-model and live read
/// (`--precision fp16` tunes the fp16-weight builds, cached apart from the fp32 ones).
/// </summary>
internal static class TuneCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Weight package whose network to tune.", Required = true };
        var clip = new Option<string>("--clip") { Description = "Clip geometry TxHxW the network will run at (shapes are tuned per input shape).", DefaultValueFactory = _ => "8x224x224" };
        var image = new Option<string>("--image") { Description = "Detectors: input image HxW.", DefaultValueFactory = _ => "800x1088" };
        var rounds = new Option<int>("--rounds") { Description = "Runs of each candidate, alternating candidate by candidate; the medians decide (a candidate over twice the default in each of the first two rounds runs no more).", DefaultValueFactory = _ => Tuner.DefaultRounds };
        var margin = new Option<double>("--margin")
        {
            Description = "How much faster than today's default (a fraction) a variant must be to replace it.",
            DefaultValueFactory = _ => Tuner.DefaultMargin,
        };
        var command = new Command("tune", "Time every layer shape's kernel variants on this device and cache the fastest (beside the pipeline cache).")
        {
            model, clip, image, rounds, margin, CliOptions.Precision,
        };
        command.SetAction(result =>
        {
            // --no-tuning turns the cache off, and tune's whole work is writing it: refuse rather than ignore it.
            if (result.GetValue(CliOptions.NoTuning))
                throw new EngineException("tune: --no-tuning turns the tuning cache off, and tune writes it; run tune without --no-tuning.");
            var (roundCount, share) = (result.GetValue(rounds), result.GetValue(margin));
            if (roundCount <= 0)
                throw new EngineException($"--rounds {roundCount}: at least one round.");
            if (share is < 0 or >= 1)
                throw new EngineException($"--margin {share}: a fraction in [0, 1).");
            using var package = WeightPackage.Open(result.GetValue(model)!);
            GraphBuilder graph;
            string geometry;
            if (DetectorArchitecture.IsDetector(package.Metadata.Kind))
            {
                var text = result.GetValue(image)!;
                var parts = text.Split('x');
                if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var h)
                    || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var w) || h <= 0 || w <= 0)
                    throw new EngineException($"--image '{text}': expected HxW, e.g. 800x1088.");
                (graph, geometry) = (DetectorBuilder.Build(package, h, w), $"image 3x{h}x{w}");
            }
            else
            {
                var (t, h, w) = BenchCommand.ParseClip(result.GetValue(clip)!);
                (graph, geometry) = (ModelBuilder.Build(package, 1, t, h, w), $"clip 1x3x{t}x{h}x{w}");
            }

            using var logging = CliOptions.Logging(result);
            using var instance = CliOptions.Instance(result, logging);
            using var device = instance.CreateDevice(CliOptions.DeviceOptions(result, logging) with { Tuning = TuningMode.Cached });
            if (device.Tuning.Path is null)
                throw new EngineException("tune: the device has no cache directory to write the tuning cache to (set ENGINE_CACHE_DIR).");
            Console.WriteLine($"device: {device.Info.Name} (driver {device.Info.DriverInfo}, UUID {device.Info.DeviceUuid})");
            Console.WriteLine($"model: {package.Path} {geometry}; {roundCount} rounds, margin {share:P0}");
            var clock = Stopwatch.StartNew();
            var cpu = Statistics.ProcessCpuTime();
            // fp16 weights run other kernel builds: their shapes are tuned and cached under their own keys.
            var shapes = GraphTuner.Tune(device, graph, new CompileOptions { WeightStorage = CliOptions.WeightStorage(result) }, untunedOnly: false, roundCount, share, Print);
            var changed = shapes.Count(s => s.Entry.Choice != s.Entry.Default);
            Console.WriteLine($"tuned {shapes.Count} shapes in {clock.Elapsed.TotalSeconds:0.0} s (cpu {(Statistics.ProcessCpuTime() - cpu).TotalSeconds:0.0} s); "
                + $"{changed} run another variant than the default; written to {device.Tuning.Path}");
            return 0;
        });
        return command;
    }

    /// <summary>One shape: its key and nodes, every candidate's median (the default marked), and the pick.</summary>
    private static void Print(TunedShape shape)
    {
        var entry = shape.Entry;
        Console.WriteLine();
        Console.WriteLine($"shape {shape.Key}  ({shape.Nodes} node{(shape.Nodes == 1 ? "" : "s")}, first {shape.FirstNode})");
        var best = entry.Candidates.Min(c => c.MedianMs);
        foreach (var c in entry.Candidates)
        {
            var marks = (c.Variant == entry.Default ? " default" : "") + (c.Variant == entry.Choice ? " <- pick" : "")
                + (c.RunsMs.Count < entry.Rounds ? $" (stopped after {c.RunsMs.Count} runs)" : "");
            var cpu = double.IsFinite(c.CpuMedianMs) ? $"  cpu {c.CpuMedianMs,8:0.000} ms {c.CpuMedianMs / entry.Candidates[0].CpuMedianMs,6:0.000}" : "";
            Console.WriteLine($"  {c.Variant,-20} {c.MedianMs,9:0.000} ms {c.MedianMs / entry.Candidates[0].MedianMs,6:0.000}{cpu}{(c.MedianMs == best ? " fastest" : ""),8}{marks}");
        }
        Console.WriteLine($"  pick {entry.Choice}{(entry.Choice == entry.Default ? " (the default: no candidate beat it by the margin)" : $" ({entry.Candidates.First(c => c.Variant == entry.Choice).MedianMs / entry.Candidates[0].MedianMs:0.000} of the default)")}");
    }
}
