namespace OnnxRuntimeBench;

/// <summary>What to time: the model, its input (a shape for random values or a .npy), where to dump the output, runs, threads and where to write ONNX Runtime's own per-node profile (JSON).</summary>
public sealed record OrtBenchOptions(string Model, string? Shape, string? Input, string? Output, int Iterations, int Threads, string? Profile = null);
