using Engine.Gpu;

namespace Engine.Tests.Gpu;

/// <summary>divmod_small (index.glsl) against C# integer division for every n below its bound.</summary>
public sealed class DivmodSmallTests(GpuFixture fixture) : GpuTest(fixture)
{
    private const string Probe = """
        #version 450
        #include "index.glsl"
        layout(local_size_x = 64) in;
        layout(binding = 0) writeonly buffer Out { uvec2 o[]; };
        layout(push_constant) uniform Push { uvec4 d; } p;
        void main() {
            uint n = gl_GlobalInvocationID.x;
            o[gl_GlobalInvocationID.y * DIVMOD_SMALL_LIMIT + n] = divmod_small(n, p.d[gl_GlobalInvocationID.y]);
        }
        """;

    private const int Limit = 1 << 21;

    private readonly record struct Push(uint D0, uint D1, uint D2, uint D3);

    /// <summary>
    /// Every divisor up to 64, both sides of each power of two up to 2^25 (where float quotients round
    /// differently), odd divisors near the bound and beyond float's exact integers, and the largest uint.
    /// </summary>
    private static IEnumerable<uint> Divisors()
    {
        for (var d = 1u; d <= 64; d++)
            yield return d;
        for (var k = 7; k <= 25; k++)
        {
            yield return (1u << k) - 1;
            yield return 1u << k;
            yield return (1u << k) + 1;
        }
        foreach (var d in new uint[] { 3 * 7 * 13, 1447, 1448, 1449, 2999, 65535, 99991, 1048573, Limit - 1, 16777215, 2147483648, 2147483649, uint.MaxValue })
            yield return d;
    }

    [Fact]
    public void Divmod_small_is_exact_for_every_n_below_2_pow_21()
    {
        var pipeline = Device.Pipeline("divmod_probe", ShaderCompiler.Compile(Probe, "divmod_probe.comp"));
        using var o = Device.CreateTensor("o", new Shape(4 * Limit, 2), DataType.UInt32);
        foreach (var batch in Divisors().Chunk(4))
        {
            var d = batch.Concat(Enumerable.Repeat(1u, 4 - batch.Length)).ToArray();
            Device.Run(l => l.Dispatch(pipeline, new Groups(Limit / 64, 4), new Push(d[0], d[1], d[2], d[3]), o));
            var r = o.Download<uint>();
            for (var y = 0; y < 4; y++)
            {
                for (var n = 0u; n < Limit; n++)
                {
                    var at = 2 * (y * Limit + n);
                    if (r[at] != n / d[y] || r[at + 1] != n % d[y])
                        Assert.Fail($"divmod_small({n}, {d[y]}) gave ({r[at]}, {r[at + 1]}), expected ({n / d[y]}, {n % d[y]})");
                }
            }
        }
    }
}
