using Engine.Contracts;

namespace {{Name}};

/// <summary>
/// The plugin's head: shaders/channel_stats.comp reduces each clip to the mean of every colour channel
/// and its motion energy (the mean squared change between consecutive frames); <see cref="Interpret"/>
/// ranks the channels by their share of the energy (of the mean when nothing moves).
/// </summary>
public static class ChannelStatsHead
{
    public const string Shader = "channel_stats.comp";

    /// <summary>The output: (N, 8), per clip the means (r, g, b, 0) then the energies (r, g, b, 0).</summary>
    public const string Output = "stats";

    public static readonly string[] Channels = ["red", "green", "blue"];

    /// <summary>Pixels as 0..1 RGB: the statistics stay readable.</summary>
    public static Normalization Normalization { get; } = new(1.0, [0, 0, 0], [1, 1, 1]);

    /// <summary>Adds the kernel: bindings 0 = the clip (N, T, H, W, 4), 1 = the output; push constants batch, frames, pixels.</summary>
    public static void Build(INetworkBuilder network)
    {
        var input = network.Input;
        var (batch, frames, pixels) = (input.Shape[0], input.Shape[1], input.Shape[2] * input.Shape[3]);
        // One invocation per (clip, statistic), 8 per workgroup (the shader's local_size_x).
        var groups = (uint)(2 * batch + 7) / 8;
        var stats = network.Kernel(Shader, [batch, 8], [input], [(uint)batch, (uint)frames, (uint)pixels], (groups, 1, 1));
        network.Output(Output, stats);
    }

    /// <summary>The channels of the first clip ranked by their share of the motion energy, or of the mean in a still clip.</summary>
    public static IReadOnlyList<LabelScore> Interpret(NetworkResult result, int topK)
    {
        var v = result.Outputs[Output].Values;
        var energy = v.AsSpan(4, 3).ToArray();
        var share = energy.Sum() > 1e-6 ? energy : v.AsSpan(0, 3).ToArray();
        var total = Math.Max(share.Sum(), 1e-12f);
        return [.. Enumerable.Range(0, Channels.Length)
            .Select(c => new LabelScore(Channels[c], share[c] / total))
            .OrderByDescending(s => s.Score)
            .Take(topK)];
    }
}
