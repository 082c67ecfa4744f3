using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// The activation layout every op agrees on: PyTorch's (N, C, T, H, W) stored as a contiguous
/// (N, T, H, W, Cp) tensor with Cp = C rounded up to a multiple of 4 and the padded channels zero,
/// so every pixel is whole vec4 texels.
/// </summary>
public static class ChannelsLast
{
    public static int Padded(int channels) => (channels + 3) / 4 * 4;

    public static Shape Shape(int n, int t, int h, int w, int channels) => new(n, t, h, w, Padded(channels));

    /// <summary>Checks that <paramref name="tensor"/> is a contiguous channels-last activation; names the op on failure.</summary>
    public static void Require(string op, string role, Tensor tensor)
    {
        if (tensor.Shape.Rank != 5 || tensor.Shape[4] % 4 != 0 || !tensor.IsContiguous)
            throw new EngineException($"{op}: {role} {tensor.Shape} must be a contiguous channels-last (N, T, H, W, Cp) tensor with Cp a multiple of 4.");
    }

    /// <summary>A per-channel vector (bias, scale) padded with zeros to <see cref="Padded"/> entries.</summary>
    public static float[] PadVector(ReadOnlySpan<float> values)
    {
        var padded = new float[Padded(values.Length)];
        values.CopyTo(padded);
        return padded;
    }
}
