namespace OnnxRuntimeBench;

/// <summary>A bad option or input file: printed as one line, exit code 2.</summary>
public sealed class BenchException(string message) : Exception(message);
