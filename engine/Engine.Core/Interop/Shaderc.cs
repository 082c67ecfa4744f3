using System.Runtime.InteropServices;

namespace Engine.Interop;

#pragma warning disable CA1707, IDE1006 // names as in libshaderc's C API

/// <summary>libshaderc's C API (Debian libshaderc1): run-time GLSL to SPIR-V.</summary>
internal static unsafe partial class Shaderc
{
    private const string Library = "libshaderc.so.1";

    public const int ComputeShader = 2;            // shaderc_compute_shader
    public const int TargetEnvVulkan = 0;          // shaderc_target_env_vulkan
    public const uint EnvVersionVulkan12 = (1u << 22) | (2u << 12);
    public const int OptimizationPerformance = 2;  // shaderc_optimization_level_performance
    public const int StatusSuccess = 0;

    [StructLayout(LayoutKind.Sequential)]
    public struct IncludeResult
    {
        public byte* source_name;
        public nuint source_name_length;
        public byte* content;
        public nuint content_length;
        public void* user_data;
    }

    [LibraryImport(Library)] public static partial nint shaderc_compiler_initialize();
    [LibraryImport(Library)] public static partial void shaderc_compiler_release(nint compiler);
    [LibraryImport(Library)] public static partial nint shaderc_compile_options_initialize();
    [LibraryImport(Library)] public static partial void shaderc_compile_options_release(nint options);
    [LibraryImport(Library)] public static partial void shaderc_compile_options_set_optimization_level(nint options, int level);
    [LibraryImport(Library)] public static partial void shaderc_compile_options_set_target_env(nint options, int target, uint version);
    [LibraryImport(Library)] public static partial void shaderc_compile_options_add_macro_definition(nint options, byte* name, nuint nameLength, byte* value, nuint valueLength);

    [LibraryImport(Library)]
    public static partial void shaderc_compile_options_set_include_callbacks(
        nint options,
        delegate* unmanaged<void*, byte*, int, byte*, nuint, IncludeResult*> resolver,
        delegate* unmanaged<void*, IncludeResult*, void> releaser,
        void* userData);

    [LibraryImport(Library)]
    public static partial nint shaderc_compile_into_spv(nint compiler, byte* source, nuint sourceSize, int kind, byte* fileName, byte* entryPoint, nint options);

    [LibraryImport(Library)] public static partial int shaderc_result_get_compilation_status(nint result);
    [LibraryImport(Library)] public static partial byte* shaderc_result_get_error_message(nint result);
    [LibraryImport(Library)] public static partial nuint shaderc_result_get_length(nint result);
    [LibraryImport(Library)] public static partial byte* shaderc_result_get_bytes(nint result);
    [LibraryImport(Library)] public static partial void shaderc_result_release(nint result);
}
