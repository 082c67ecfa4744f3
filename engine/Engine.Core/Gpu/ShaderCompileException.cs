namespace Engine.Gpu;

/// <summary>A GLSL shader that does not compile: the file, the first line in error, and the compiler's text.</summary>
public sealed class ShaderCompileException(string file, int line, string log)
    : EngineException($"{file}:{line}: {FirstError(log)}")
{
    public string File { get; } = file;

    public int Line { get; } = line;

    /// <summary>Everything the compiler said.</summary>
    public string Log { get; } = log;

    private static string FirstError(string log)
    {
        var first = log.Split('\n').FirstOrDefault(l => l.Contains("error", StringComparison.Ordinal)) ?? log;
        // "file:12: error: 'x' : undeclared identifier" -> "error: 'x' : undeclared identifier"
        var at = first.IndexOf("error", StringComparison.Ordinal);
        return at >= 0 ? first[at..].Trim() : first.Trim();
    }
}
