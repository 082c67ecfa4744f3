using System.CommandLine;
using Microsoft.ML.OnnxRuntime;
using OnnxRuntimeBench;

var model = new Option<string>("--model") { Description = "The ONNX model to time (one float32 input).", Required = true };
var shape = new Option<string?>("--shape") { Description = "Input shape, e.g. 1x3x224x224 (default: the model's, when it has no free dimension)." };
var input = new Option<string?>("--input") { Description = "Run this float32 .npy instead of random values in [-1, 1) (sets the shape)." };
var output = new Option<string?>("--output") { Description = "Write the model's first output of the last run to this .npy." };
var iterations = new Option<int>("--iters") { Description = "Timed runs after one warm-up.", DefaultValueFactory = _ => 10 };
var threads = new Option<int>("--threads") { Description = "Intra-op threads (inter-op is 1: one node at a time, as torch runs).", DefaultValueFactory = _ => 2 };

var profile = new Option<string?>("--profile") { Description = "Also write ONNX Runtime's per-node profile (chrome trace JSON) to a file starting with this prefix (profiled runs are slower)." };

var root = new RootCommand("onnxruntime-bench: times an ONNX model in ONNX Runtime on the CPU and prints `median X ms over N runs` (the line `engine bench` prints), for tools/bench/compare_torch.py.")
{
    model, shape, input, output, iterations, threads, profile,
};
root.SetAction(result => OrtBench.Run(new OrtBenchOptions(
    result.GetValue(model)!, result.GetValue(shape), result.GetValue(input), result.GetValue(output), result.GetValue(iterations), result.GetValue(threads), result.GetValue(profile))));

try
{
    return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (e is BenchException or Engine.EngineException or OnnxRuntimeException or IOException or UnauthorizedAccessException)
{
    // A bad option, file (a malformed .npy: EngineException) or model is one line a user can act on.
    Console.Error.WriteLine($"onnxruntime-bench: {e.Message}");
    return 2;
}
