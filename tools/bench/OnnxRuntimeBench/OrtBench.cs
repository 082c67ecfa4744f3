using System.Diagnostics;
using System.Globalization;
using Engine;
using Engine.Files;
using Engine.Gpu;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace OnnxRuntimeBench;

/// <summary>
/// Times one ONNX model on ONNX Runtime's CPU execution provider, set up as a C# developer would for
/// latency: all graph optimisations, sequential execution, one inter-op thread and
/// <see cref="OrtBenchOptions.Threads"/> intra-op threads (2 by default, as compare_torch.py gives torch).
/// </summary>
public static class OrtBench
{
    public static int Run(OrtBenchOptions options)
    {
        if (options.Iterations < 1)
            throw new BenchException($"--iters {options.Iterations}: give at least 1.");
        if (options.Threads < 1)
            throw new BenchException($"--threads {options.Threads}: give at least 1.");
        if (!File.Exists(options.Model))
            throw new BenchException($"{options.Model}: no such file.");

        var loadClock = Stopwatch.StartNew();
        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = options.Threads,
            InterOpNumThreads = 1,
        };
        if (options.Profile is { } prefix)
        {
            // The prefix first: enabling profiling hands ONNX Runtime the prefix set at that moment.
            sessionOptions.ProfileOutputPathPrefix = prefix;
            sessionOptions.EnableProfiling = true;
        }
        using var session = new InferenceSession(options.Model, sessionOptions);
        var loadMs = loadClock.Elapsed.TotalMilliseconds;
        if (session.InputNames.Count != 1)
            throw new BenchException($"{options.Model}: {session.InputNames.Count} inputs; this bench feeds exactly one.");
        var inputName = session.InputNames[0];
        var metadata = session.InputMetadata[inputName];
        if (metadata.ElementDataType != TensorElementType.Float)
            throw new BenchException($"{options.Model}: input '{inputName}' is {metadata.ElementDataType}; this bench feeds float32.");

        var (shape, values) = InputOf(options, metadata.Dimensions);
        using var inputValue = OrtValue.CreateTensorValueFromMemory(values, shape);
        using var runOptions = new RunOptions();
        var outputNames = session.OutputNames;
        IReadOnlyCollection<string> inputNames = [inputName];
        IReadOnlyCollection<OrtValue> inputValues = [inputValue];

        var warmClock = Stopwatch.StartNew();
        session.Run(runOptions, inputNames, inputValues, outputNames).Dispose();
        var warmMs = warmClock.Elapsed.TotalMilliseconds;

        var wall = new List<double>();
        var cpu = Statistics.ProcessCpuTime();
        for (var i = 0; i < options.Iterations; i++)
        {
            var clock = Stopwatch.StartNew();
            using var outputs = session.Run(runOptions, inputNames, inputValues, outputNames);
            wall.Add(clock.Elapsed.TotalMilliseconds);
            if (i == options.Iterations - 1 && options.Output is { } path)
                NpyArray.FromFloats(new Shape([.. outputs[0].GetTensorTypeAndShape().Shape.Select(d => checked((int)d))]),
                    outputs[0].GetTensorDataAsSpan<float>().ToArray()).Write(path);
        }
        var cpuMs = (Statistics.ProcessCpuTime() - cpu).TotalMilliseconds;
        if (options.Profile is not null)
            Console.WriteLine($"profile: {session.EndProfiling()}");

        Console.WriteLine($"onnxruntime {OrtEnv.Instance().GetVersionString()} CPU, {options.Threads} intra-op threads, 1 inter-op, optimisation all");
        Console.WriteLine($"model: {options.Model} input {inputName} {string.Join('x', shape)}");
        Console.WriteLine($"load {loadMs:0} ms, first run {warmMs:0} ms");
        Console.WriteLine($"cpu {cpuMs / options.Iterations:0.0} ms per run (all threads of this process)");
        Console.WriteLine($"median {Statistics.Median(wall):0.00} ms over {wall.Count} runs");
        return 0;
    }

    /// <summary>The input: the .npy given (its shape must fit the model's), else seeded random values of --shape or of the model's fixed shape.</summary>
    private static (long[] Shape, float[] Values) InputOf(OrtBenchOptions options, int[] modelShape)
    {
        if (options.Input is { } path)
        {
            if (options.Shape is not null)
                throw new BenchException("give --input or --shape, not both (the .npy sets the shape).");
            var npy = NpyArray.Read(path);
            long[] npyShape = [.. npy.Shape.Dims.ToArray().Select(d => (long)d)];
            CheckFits(npyShape, modelShape, path);
            return (npyShape, npy.ToFloats());
        }
        long[] shape;
        if (options.Shape is { } text)
        {
            shape = ParseShape(text);
            CheckFits(shape, modelShape, $"--shape {text}");
        }
        else if (modelShape.All(d => d > 0))
            shape = [.. modelShape.Select(d => (long)d)];
        else
            throw new BenchException($"the model's input is {string.Join('x', modelShape.Select(d => d > 0 ? d.ToString(CultureInfo.InvariantCulture) : "?"))}: give --shape.");
        var random = new Random(1);
        var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        foreach (ref var v in values.AsSpan())
            v = (float)(random.NextDouble() * 2 - 1);
        return (shape, values);
    }

    private static long[] ParseShape(string text)
    {
        var parts = text.Split('x');
        if (!parts.All(p => long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var d) && d > 0))
            throw new BenchException($"--shape '{text}': expected positive sizes joined by x, e.g. 1x3x224x224.");
        return [.. parts.Select(p => long.Parse(p, CultureInfo.InvariantCulture))];
    }

    /// <summary>A free (symbolic) dimension of the model takes any size; a fixed one must match.</summary>
    private static void CheckFits(long[] shape, int[] modelShape, string what)
    {
        var fits = shape.Length == modelShape.Length && shape.Zip(modelShape).All(p => p.Second <= 0 || p.First == p.Second);
        if (!fits)
            throw new BenchException($"{what}: shape {string.Join('x', shape)} does not fit the model's input {string.Join('x', modelShape.Select(d => d > 0 ? d.ToString(CultureInfo.InvariantCulture) : "?"))}.");
    }
}
