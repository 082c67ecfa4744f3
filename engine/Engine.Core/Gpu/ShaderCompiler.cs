using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Engine.Interop;

namespace Engine.Gpu;

/// <summary>
/// Run-time GLSL -> SPIR-V for plugin shaders, through libshaderc, or through the glslc command of
/// the same project where the system's libshaderc cannot be loaded (Debian 12 ships a libshaderc.so.1
/// with unresolved glslang symbols). `#include "x.glsl"` resolves next to the including file first,
/// then among the engine's shared includes (shaders/include). Errors come back as
/// <see cref="ShaderCompileException"/> with file and line, like the build's.
/// </summary>
public static unsafe partial class ShaderCompiler
{
    /// <summary>Compiles a compute shader file.</summary>
    public static byte[] CompileFile(string path, IReadOnlyDictionary<string, string>? defines = null)
    {
        string source;
        try
        {
            source = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"{path}: cannot read shader: {e.Message}");
        }
        return Compile(source, Path.GetFullPath(path), defines);
    }

    /// <summary>Which compiler runs: "libshaderc" or "glslc".</summary>
    public static string Backend => _libshaderc.Value ? "libshaderc" : "glslc";

    private static readonly Lazy<bool> _libshaderc = new(() =>
    {
        try
        {
            Shaderc.shaderc_compiler_release(Shaderc.shaderc_compiler_initialize());
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return false;
        }
    });

    /// <summary>Compiles compute shader source; <paramref name="fileName"/> names it in errors and anchors relative includes.</summary>
    public static byte[] Compile(string source, string fileName, IReadOnlyDictionary<string, string>? defines = null) =>
        _libshaderc.Value ? CompileWithLibrary(source, fileName, defines) : CompileWithGlslc(source, fileName, defines);

    private static byte[] CompileWithGlslc(string source, string fileName, IReadOnlyDictionary<string, string>? defines)
    {
        var work = Directory.CreateTempSubdirectory("engine-glslc-");
        try
        {
            var input = Path.Combine(work.FullName, Path.GetFileName(fileName));
            var output = Path.Combine(work.FullName, "out.spv");
            File.WriteAllText(input, source);
            var start = new System.Diagnostics.ProcessStartInfo("glslc") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var arg in new[] { "-O", "-g", "--target-env=vulkan1.2", "-fshader-stage=compute" })
                start.ArgumentList.Add(arg);
            var dir = Path.GetDirectoryName(fileName);
            if (!string.IsNullOrEmpty(dir) && Directory.Exists(dir))
                start.ArgumentList.Add($"-I{dir}");
            start.ArgumentList.Add($"-I{ShaderLibrary.IncludeDirectory()}");
            foreach (var (name, value) in defines ?? new Dictionary<string, string>())
                start.ArgumentList.Add($"-D{name}={value}");
            start.ArgumentList.Add("-o");
            start.ArgumentList.Add(output);
            start.ArgumentList.Add(input);
            System.Diagnostics.Process process;
            try
            {
                process = System.Diagnostics.Process.Start(start)!;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                throw new EngineException("Neither libshaderc.so.1 nor glslc is usable; plugin shaders need one (Debian: apt-get install glslc).");
            }
            using (process)
            {
                var stderr = process.StandardError.ReadToEndAsync();
                process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                // glslc names the temporary copy; errors must name the user's file.
                var log = stderr.Result.Replace(input, fileName, StringComparison.Ordinal);
                if (process.ExitCode != 0)
                {
                    var (errorFile, line) = Locate(log, fileName);
                    throw new ShaderCompileException(errorFile, line, log);
                }
            }
            return File.ReadAllBytes(output);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static byte[] CompileWithLibrary(string source, string fileName, IReadOnlyDictionary<string, string>? defines)
    {
        var compiler = Shaderc.shaderc_compiler_initialize();
        var options = Shaderc.shaderc_compile_options_initialize();
        var resolver = GCHandle.Alloc(new IncludeResolver());
        try
        {
            Shaderc.shaderc_compile_options_set_target_env(options, Shaderc.TargetEnvVulkan, Shaderc.EnvVersionVulkan12);
            Shaderc.shaderc_compile_options_set_optimization_level(options, Shaderc.OptimizationPerformance);
            Shaderc.shaderc_compile_options_set_include_callbacks(options, &Resolve, &Release, (void*)GCHandle.ToIntPtr(resolver));
            foreach (var (name, value) in defines ?? new Dictionary<string, string>())
            {
                var n = Encoding.UTF8.GetBytes(name);
                var v = Encoding.UTF8.GetBytes(value);
                fixed (byte* pn = n)
                fixed (byte* pv = v)
                    Shaderc.shaderc_compile_options_add_macro_definition(options, pn, (nuint)n.Length, pv, (nuint)v.Length);
            }

            var src = Encoding.UTF8.GetBytes(source);
            var file = NativeString.Utf8(fileName);
            var entry = NativeString.Utf8("main");
            nint result;
            fixed (byte* ps = src)
            fixed (byte* pf = file)
            fixed (byte* pe = entry)
                result = Shaderc.shaderc_compile_into_spv(compiler, ps, (nuint)src.Length, Shaderc.ComputeShader, pf, pe, options);
            try
            {
                if (Shaderc.shaderc_result_get_compilation_status(result) != Shaderc.StatusSuccess)
                {
                    var log = NativeString.Read(Shaderc.shaderc_result_get_error_message(result));
                    var (errorFile, line) = Locate(log, fileName);
                    throw new ShaderCompileException(errorFile, line, log);
                }
                var length = (int)Shaderc.shaderc_result_get_length(result);
                return new ReadOnlySpan<byte>(Shaderc.shaderc_result_get_bytes(result), length).ToArray();
            }
            finally
            {
                Shaderc.shaderc_result_release(result);
            }
        }
        finally
        {
            resolver.Free();
            Shaderc.shaderc_compile_options_release(options);
            Shaderc.shaderc_compiler_release(compiler);
        }
    }

    /// <summary>Finds "file:line: error" in the compiler log; falls back to the main file, line 0.</summary>
    private static (string File, int Line) Locate(string log, string fallback)
    {
        var match = ErrorLocation().Match(log);
        return match.Success ? (match.Groups[1].Value, int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)) : (fallback, 0);
    }

    [GeneratedRegex(@"^(.+?):(\d+): error", RegexOptions.Multiline)]
    private static partial Regex ErrorLocation();

    private sealed class IncludeResolver
    {
        public (string Name, string? Content) Find(string requested, string requesting)
        {
            var dir = Path.GetDirectoryName(requesting);
            if (!string.IsNullOrEmpty(dir))
            {
                var local = Path.GetFullPath(Path.Combine(dir, requested));
                if (File.Exists(local))
                    return (local, File.ReadAllText(local));
            }
            var shared = ShaderLibrary.Include(requested);
            return shared is null ? ("", $"cannot find include \"{requested}\" next to {requesting} or among the engine includes") : ($"include/{requested}", shared);
        }
    }

    [UnmanagedCallersOnly]
    private static Shaderc.IncludeResult* Resolve(void* user, byte* requested, int type, byte* requesting, nuint depth)
    {
        var resolver = (IncludeResolver)GCHandle.FromIntPtr((nint)user).Target!;
        var (name, content) = resolver.Find(NativeString.Read(requested), NativeString.Read(requesting));
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var contentBytes = Encoding.UTF8.GetBytes(content ?? "");
        // One native block: the result struct followed by the name and the content.
        var size = (nuint)(sizeof(Shaderc.IncludeResult) + nameBytes.Length + contentBytes.Length + 2);
        var block = (byte*)NativeMemory.Alloc(size);
        var result = (Shaderc.IncludeResult*)block;
        var namePtr = block + sizeof(Shaderc.IncludeResult);
        var contentPtr = namePtr + nameBytes.Length + 1;
        nameBytes.CopyTo(new Span<byte>(namePtr, nameBytes.Length));
        contentBytes.CopyTo(new Span<byte>(contentPtr, contentBytes.Length));
        *result = new Shaderc.IncludeResult
        {
            source_name = namePtr,
            source_name_length = (nuint)nameBytes.Length,
            content = contentPtr,
            content_length = (nuint)contentBytes.Length,
        };
        return result;
    }

    [UnmanagedCallersOnly]
    private static void Release(void* user, Shaderc.IncludeResult* result) => NativeMemory.Free(result);
}
