using System.Text.Json.Nodes;

namespace WeightConverter.Rules;

/// <summary>
/// Everything about a video network that its weights do not record, as one family's rules, the file's
/// config and the flags decided it (each decision is in the <see cref="Derivation"/>).
/// </summary>
internal sealed record VideoChoices
{
    public required string Dialect { get; init; }

    public required double Epsilon { get; init; }

    public required int[] StemStride { get; init; }

    public required PoolChoice? StemPool { get; init; }

    public required PoolChoice? PoolAfterRes2 { get; init; }

    /// <summary>"a" or "b": which bottleneck conv carries block 0's stride.</summary>
    public string StrideOn { get; init; } = "b";

    public int[] SpatialStrides { get; init; } = [1, 2, 2, 2];

    public int[] TemporalStrides { get; init; } = [1, 1, 1, 1];

    /// <summary>global_avg_fc or fully_conv.</summary>
    public required string HeadKind { get; init; }

    /// <summary>The fully_conv head's average-pool kernel [t, h, w]; -1 = the whole extent of res5's output.</summary>
    public int[]? HeadPool { get; init; }

    /// <summary>How each stage's non-local blocks compute, index 0 = res2.</summary>
    public required NonLocalChoice[] NonLocal { get; init; }

    public required JsonObject Normalization { get; init; }

    public required int Frames { get; init; }

    public required int SamplingRate { get; init; }

    public required int ShortSide { get; init; }

    public required int Crop { get; init; }
}
