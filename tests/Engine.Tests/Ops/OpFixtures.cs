using System.Text.Json;
using Engine.Files;
using Engine.Gpu;
using Engine.Ops;

namespace Engine.Tests.Ops;

/// <summary>
/// The op fixtures of tests/fixtures/gen_ops.py: case descriptions, PyTorch-layout arrays converted
/// to and from the channels-last layout on the host, and the tolerance every op test asserts.
/// </summary>
public static class OpFixtures
{
    public const string Set = "ops";

    private static readonly Lazy<JsonElement> _cases = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Dir(Set), "cases.json"))).RootElement);

    public static JsonElement Case(string name) => _cases.Value.GetProperty(name);

    public static NpyArray Array(string name, string array) => Fixtures.Npy(Set, $"{name}.{array}");

    public static bool Has(string name, string array) => File.Exists(Path.Combine(Fixtures.Dir(Set), $"{name}.{array}.npy"));

    /// <summary>A per-axis list of a 1D/2D/3D op as (T, H, W); missing leading axes get <paramref name="unit"/>.</summary>
    public static Size3 Size(JsonElement list, int unit)
    {
        var values = list.EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var full = Enumerable.Repeat(unit, 3 - values.Length).Concat(values).ToArray();
        return new Size3(full[0], full[1], full[2]);
    }

    /// <summary>(N, C, [T], [H], W) in C order to (N, T, H, W, Cp) with zero padded channels.</summary>
    public static (float[] Data, Shape Shape, int Channels) ToChannelsLast(NpyArray array)
    {
        var dims = array.Shape.Dims.ToArray();
        var (n, c) = (dims[0], dims[1]);
        var spatial = Enumerable.Repeat(1, 5 - dims.Length).Concat(dims[2..]).ToArray();
        var (t, h, w) = (spatial[0], spatial[1], spatial[2]);
        var cp = ChannelsLast.Padded(c);
        var src = array.ToFloats();
        var dst = new float[(long)n * t * h * w * cp];
        var pixels = t * h * w;
        for (var b = 0; b < n; b++)
        {
            for (var ch = 0; ch < c; ch++)
            {
                for (var p = 0; p < pixels; p++)
                    dst[((long)b * pixels + p) * cp + ch] = src[((long)b * c + ch) * pixels + p];
            }
        }
        return (dst, new Shape(n, t, h, w, cp), c);
    }

    /// <summary>The inverse of <see cref="ToChannelsLast"/>: drops the padded channels.</summary>
    public static float[] FromChannelsLast(float[] data, Shape shape, int channels)
    {
        var (n, pixels, cp) = (shape[0], shape[1] * shape[2] * shape[3], shape[4]);
        var dst = new float[(long)n * channels * pixels];
        for (var b = 0; b < n; b++)
        {
            for (var ch = 0; ch < channels; ch++)
            {
                for (var p = 0; p < pixels; p++)
                    dst[((long)b * channels + ch) * pixels + p] = data[((long)b * pixels + p) * cp + ch];
            }
        }
        return dst;
    }

    /// <summary>Asserts every element within 1e-4 of the expected output's largest magnitude.</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what, double relative = 1e-4)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 0;
        foreach (var v in expected)
            scale = Math.Max(scale, Math.Abs(v));
        var tolerance = relative * Math.Max(scale, 1e-6);
        for (var i = 0; i < expected.Length; i++)
        {
            var error = Math.Abs((double)expected[i] - actual[i]);
            Assert.True(error <= tolerance, $"{what}: element {i} is {actual[i]}, PyTorch gives {expected[i]} (error {error:g3} > {tolerance:g3}).");
        }
    }

    /// <summary>Asserts the padded channels of a channels-last result are exactly zero.</summary>
    public static void AssertPaddingZero(float[] data, Shape shape, int channels, string what)
    {
        var cp = shape[4];
        for (long i = 0; i < data.Length; i++)
        {
            if (i % cp >= channels)
                Assert.True(data[i] == 0, $"{what}: padded channel {i % cp} of pixel {i / cp} is {data[i]}, not 0.");
        }
    }
}
