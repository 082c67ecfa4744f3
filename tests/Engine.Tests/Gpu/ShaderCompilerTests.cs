using Engine.Gpu;

namespace Engine.Tests.Gpu;

public sealed class ShaderCompilerTests(GpuFixture fixture) : GpuTest(fixture)
{
    private const string Doubler = """
        #version 450
        #include "index.glsl"
        layout(local_size_x = 64) in;
        layout(binding = 0) readonly buffer In { float x[]; };
        layout(binding = 1) writeonly buffer Out { float y[]; };
        layout(push_constant) uniform Push { uint n; } p;
        void main() {
            uint i = flat_invocation();
            if (i < p.n) y[i] = 2.0 * x[i];
        }
        """;

    private readonly record struct Push(uint N);

    [Fact]
    public void Runtime_shader_with_an_engine_include_compiles_and_runs()
    {
        var spirv = ShaderCompiler.Compile(Doubler, "doubler.comp");
        var pipeline = Device.Pipeline("doubler", spirv);
        var x = RandomFloats(100, 4);
        using var tx = Device.CreateTensor<float>("x", new Shape(100), x);
        using var ty = Device.CreateTensor("y", new Shape(100));
        Device.Run(list => list.Dispatch(pipeline, new Groups(2), new Push(100), tx, ty));
        Assert.Equal(x.Select(v => 2 * v), ty.Download<float>());
    }

    [Fact]
    public void Compile_error_reports_file_and_line()
    {
        var broken = Doubler.Replace("y[i] = 2.0 * x[i];", "y[i] = 2.0 * undefined_thing;", StringComparison.Ordinal);
        var error = Assert.Throws<ShaderCompileException>(() => ShaderCompiler.Compile(broken, "plugin/head.comp"));
        Assert.Equal("plugin/head.comp", error.File);
        Assert.Equal(9, error.Line);
        Assert.StartsWith("plugin/head.comp:9: error", error.Message, StringComparison.Ordinal);
        Assert.Contains("undefined_thing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_include_is_a_compile_error_naming_it()
    {
        var error = Assert.Throws<ShaderCompileException>(() => ShaderCompiler.Compile(Doubler.Replace("index.glsl", "nope.glsl", StringComparison.Ordinal), "a.comp"));
        Assert.Contains("nope.glsl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Include_next_to_the_file_wins()
    {
        // Both index.glsl files compile; only the local one defines FACTOR, so the result says which won.
        var dir = Directory.CreateTempSubdirectory("engine-shader-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "index.glsl"), "#define FACTOR 3.0\n#define flat_invocation() (gl_GlobalInvocationID.x)\n");
            var path = Path.Combine(dir, "scaler.comp");
            File.WriteAllText(path, Doubler
                .Replace("void main() {", "#ifndef FACTOR\n#define FACTOR 2.0\n#endif\nvoid main() {", StringComparison.Ordinal)
                .Replace("2.0 * x[i]", "FACTOR * x[i]", StringComparison.Ordinal));
            var pipeline = Device.Pipeline("scaler", ShaderCompiler.CompileFile(path));
            var x = RandomFloats(100, 5);
            using var tx = Device.CreateTensor<float>("x", new Shape(100), x);
            using var ty = Device.CreateTensor("y", new Shape(100));
            Device.Run(list => list.Dispatch(pipeline, new Groups(2), new Push(100), tx, ty));
            Assert.Equal(x.Select(v => 3 * v), ty.Download<float>());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
