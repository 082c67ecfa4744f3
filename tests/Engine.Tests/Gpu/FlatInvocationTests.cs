using Engine.Gpu;

namespace Engine.Tests.Gpu;

/// <summary>flat_invocation() once folded the default local size of 1 into its row stride.</summary>
public sealed class FlatInvocationTests(GpuFixture fixture) : GpuTest(fixture)
{
    private const string Probe = """
        #version 450
        #include "index.glsl"
        layout(local_size_x = 64) in;
        layout(binding = 0) writeonly buffer Out { uint o[]; };
        layout(push_constant) uniform Push { uint n; } p;
        void main() {
            uint i = flat_invocation();
            if (i < p.n) o[i] = gl_GlobalInvocationID.x + 1u;
        }
        """;

    private readonly record struct Push(uint N);

    [Fact]
    public void Flat_invocation_numbers_every_invocation_of_a_two_row_grid_once()
    {
        var pipeline = Device.Pipeline("probe", ShaderCompiler.Compile(Probe, "probe.comp"));
        const int N = 65535 * 64 * 2;
        using var o = Device.CreateTensor("o", new Shape(N), DataType.UInt32);
        Device.Run(l => l.Fill(o, 0));
        Device.Run(l => l.Dispatch(pipeline, new Groups(65535, 2), new Push(N), o));
        var r = o.Download<uint>();
        for (var i = 0; i < N; i++)
        {
            if (r[i] != (uint)(i % (65535 * 64)) + 1)
                Assert.Fail($"element {i} holds x = {r[i]} - 1; expected {i % (65535 * 64)}");
        }
    }
}
