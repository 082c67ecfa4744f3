using System.Text.Json;

namespace Engine.Models;

/// <summary>
/// The `architecture` metadata of a video ResNet package (`"kind": "video-resnet"`), as documented in
/// docs/weight-package.md. C2D, I3D and the 2D ResNet (one frame, every temporal size 1) are all this.
/// </summary>
public sealed record VideoResNetArchitecture
{
    public const string KindName = "video-resnet";

    public string Kind { get; init; } = KindName;

    public int Depth { get; init; } = 50;

    public int[] StageBlocks { get; init; } = [3, 4, 6, 3];

    /// <summary>Output channels of the stem conv (64 in every released model; smaller for tests).</summary>
    public int StemWidth { get; init; } = 64;

    /// <summary>Inner (bottleneck) widths of res2..res5.</summary>
    public int[] InnerWidths { get; init; } = [64, 128, 256, 512];

    /// <summary>Output widths of res2..res5.</summary>
    public int[] OutWidths { get; init; } = [256, 512, 1024, 2048];

    public StemSpec Stem { get; init; } = new();

    public PoolSpec? PoolAfterRes2 { get; init; }

    public int[][] TemporalKernels { get; init; } = [[1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1, 1, 1], [1, 1, 1]];

    public NonLocalSpec[] Nonlocal { get; init; } = [];

    public HeadSpec Head { get; init; } = new();

    public double BnEpsilon { get; init; } = 1e-5;

    public static VideoResNetArchitecture Parse(JsonElement json, string source)
    {
        var arch = ArchitectureJson.Read<VideoResNetArchitecture>(json, source);
        arch.Validate(source);
        return arch;
    }

    private void Validate(string source)
    {
        void Check(bool ok, string message) => ArchitectureJson.Require(ok, source, message);
        Check(Kind == KindName, $"kind '{Kind}' is not '{KindName}'");
        Check(StageBlocks.Length == 4 && StageBlocks.All(b => b > 0), $"stage_blocks [{string.Join(", ", StageBlocks)}] must be four positive counts");
        Check(InnerWidths.Length == 4 && OutWidths.Length == 4, "inner_widths and out_widths need four entries");
        Check(TemporalKernels.Length == 4 && TemporalKernels.Select((k, s) => k.Length == StageBlocks[s]).All(x => x),
            "temporal_kernels must give one size per block of each stage");
        Check(Stem.Kernel.Length == 3 && Stem.Stride.Length == 3 && Stem.Padding.Length == 3, "stem kernel, stride and padding are [t, h, w]");
        foreach (var nl in Nonlocal)
        {
            Check(nl.Stage is >= 2 and <= 5 && nl.Block >= 0 && nl.Block < StageBlocks[nl.Stage - 2],
                $"non-local block at stage {nl.Stage} block {nl.Block} is outside the network");
        }
        Check(Head.Kind is "global_avg_fc" or "fully_conv", $"head kind '{Head.Kind}' is neither 'global_avg_fc' nor 'fully_conv'");
        Check(Head.Kind != "fully_conv" || Head.Pool is { Length: 3 }, "a fully_conv head needs pool [t, h, w]");
        Check(Head.Classes > 0, "head classes must be positive");
    }

    public sealed record StemSpec
    {
        public int[] Kernel { get; init; } = [1, 7, 7];

        public int[] Stride { get; init; } = [1, 2, 2];

        public int[] Padding { get; init; } = [0, 3, 3];

        public PoolSpec? Pool { get; init; } = new();
    }

    /// <summary>A max-pool, floor mode (Caffe2's unpadded pool is padding [0, 0, 0]).</summary>
    public sealed record PoolSpec
    {
        public int[] Kernel { get; init; } = [1, 3, 3];

        public int[] Stride { get; init; } = [1, 2, 2];

        public int[] Padding { get; init; } = [0, 0, 0];
    }

    /// <summary>Where a non-local block goes; its variant is read by <see cref="Ops.NonLocalOptions.Parse"/> from the same JSON entry.</summary>
    public sealed record NonLocalSpec
    {
        public int Stage { get; init; }

        public int Block { get; init; }
    }

    public sealed record HeadSpec
    {
        public string Kind { get; init; } = "global_avg_fc";

        public int Classes { get; init; } = 400;

        /// <summary>The fixed average-pool kernel [t, h, w] of a fully_conv head (stride 1).</summary>
        public int[]? Pool { get; init; }
    }
}
