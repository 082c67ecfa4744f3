namespace Engine.Gpu;

/// <summary>
/// The engine's own shaders: SPIR-V compiled from /shaders by glslc at build time and embedded in
/// this assembly under their path ("gemm", "ops/conv"). Also serves the shared GLSL includes to the
/// run-time compiler so plugin shaders can #include them.
/// </summary>
public static class ShaderLibrary
{
    private static readonly System.Reflection.Assembly _assembly = typeof(ShaderLibrary).Assembly;

    public static IReadOnlyList<string> Names =>
        [.. _assembly.GetManifestResourceNames().Where(n => n.EndsWith(".spv", StringComparison.Ordinal)).Select(n => n[..^4]).Order()];

    public static byte[] Load(string name) =>
        Read($"{name}.spv") ?? throw new EngineException($"No engine shader named '{name}' (built: {string.Join(", ", Names)}).");

    /// <summary>
    /// The build of <paramref name="name"/> that reads weights of <paramref name="weights"/>' type: the
    /// shader itself for fp32, its half-precision build ("gemm.f16w", Shaders.targets) for fp16.
    /// </summary>
    public static string ForWeights(string name, Tensor weights) => weights.Type switch
    {
        DataType.Float32 => name,
        DataType.Float16 => $"{name}.f16w",
        _ => throw new EngineException($"Shader '{name}' reads float32 or float16 weights, not {weights}."),
    };

    /// <summary>An engine include file ("include/tensor.glsl"), or null.</summary>
    public static string? Include(string name)
    {
        var bytes = Read($"include/{name}");
        return bytes is null ? null : System.Text.Encoding.UTF8.GetString(bytes);
    }

    /// <summary>
    /// The engine includes as files on disk, for compilers that read them from a folder; written once
    /// per build of this assembly.
    /// </summary>
    public static string IncludeDirectory() => _includeDirectory.Value;

    private static readonly Lazy<string> _includeDirectory = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), $"engine-include-{_assembly.ManifestModule.ModuleVersionId:N}");
        if (!Directory.Exists(dir))
        {
            var staging = Directory.CreateTempSubdirectory("engine-include-").FullName;
            foreach (var resource in _assembly.GetManifestResourceNames().Where(n => n.StartsWith("include/", StringComparison.Ordinal)))
            {
                var path = Path.Combine(staging, resource["include/".Length..]);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, Read(resource)!);
            }
            try
            {
                Directory.Move(staging, dir);
            }
            catch (IOException)
            {
                Directory.Delete(staging, recursive: true); // another process wrote it first
            }
        }
        return dir;
    });

    private static byte[]? Read(string resource)
    {
        using var stream = _assembly.GetManifestResourceStream(resource);
        if (stream is null)
            return null;
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
