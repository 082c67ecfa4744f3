using System.CommandLine;
using System.Diagnostics;
using WeightConverter.Containers;
using WeightConverter.Dialects;
using WeightConverter.Package;

namespace WeightConverter.Cli;

/// <summary>
/// `weight-converter bench FILE`: converts a checkpoint (bench_checkpoint.py writes a ~200 MB one) and
/// prints wall time and peak memory as plain lines; the targets are under 10 s and at most 2x the file.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The checkpoint to convert (see tools/WeightConverter/bench_checkpoint.py)." };
        var command = new Command("bench", "Convert a checkpoint to a temporary package; print time and peak memory.") { file, CliOptions.Dialect };
        command.SetAction(result =>
        {
            var path = result.GetValue(file)!;
            var output = Path.Combine(Path.GetTempPath(), $"weight-converter-bench-{Environment.ProcessId}.safetensors");
            var size = new FileInfo(path).Length;
            var clock = Stopwatch.StartNew();
            try
            {
                using (var checkpoint = CheckpointReader.Open(path))
                {
                    var model = DialectDetector.Map(checkpoint, new ConvertOptions { Dialect = result.GetValue(CliOptions.Dialect) });
                    PackageWriter.Write(model, checkpoint, output, null);
                }
                var seconds = clock.Elapsed.TotalSeconds;
                using var process = Process.GetCurrentProcess();
                process.Refresh();
                var peak = process.PeakWorkingSet64;
                Console.WriteLine($"file: {path} ({size / 1e6:0.0} MB)");
                Console.WriteLine($"package: {new FileInfo(output).Length / 1e6:0.0} MB");
                Console.WriteLine($"convert: {seconds:0.00} s");
                Console.WriteLine($"peak memory: {peak / 1e6:0.0} MB ({(double)peak / size:0.00}x the file)");
            }
            finally
            {
                File.Delete(output);
            }
            return 0;
        });
        return command;
    }
}
