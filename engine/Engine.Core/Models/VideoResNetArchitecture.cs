using System.Text.Json;
using Engine.Ops;

namespace Engine.Models;

/// <summary>
/// The `architecture` metadata of a video ResNet package (`"kind": "video-resnet"`), as documented in
/// docs/weight-package.md. C2D, I3D, the 2D ResNet (one frame, every temporal size 1) and torchvision's
/// video ResNets (R3D, MC3, R(2+1)D: basic blocks, temporal strides, factorized convs) are all this.
/// </summary>
public sealed record VideoResNetArchitecture
{
    public const string KindName = "video-resnet";

    public string Kind { get; init; } = KindName;

    public int Depth { get; init; } = 50;

    public int[] StageBlocks { get; init; } = [3, 4, 6, 3];

    /// <summary>Output channels of the stem conv (64 in every released model; smaller for tests).</summary>
    public int StemWidth { get; init; } = 64;

    /// <summary>
    /// Inner (bottleneck) widths of res2..res5 as the package gives them; null: [64, 128, 256, 512] for
    /// bottlenecks, <see cref="OutWidths"/> for basic blocks (whose two convs are both out wide). Read through <see cref="InnerWidth"/>.
    /// </summary>
    public int[]? InnerWidths { get; init; }

    /// <summary>Output widths of res2..res5.</summary>
    public int[] OutWidths { get; init; } = [256, 512, 1024, 2048];

    /// <summary>"bottleneck" (a, b, c) or "basic" (torchvision video BasicBlock: a and b, both (kt, 3, 3)).</summary>
    public string Block { get; init; } = Bottleneck;

    /// <summary>Bottleneck only: "3x1x1" puts the temporal kernel on conv a, "3x3x3" on conv b (conv a is then 1x1x1).</summary>
    public string InflateStyle { get; init; } = "3x1x1";

    /// <summary>Bottleneck only: the conv that carries block 0's stride, "b" (torchvision, PySlowFast) or "a" (mmaction2 style='caffe').</summary>
    public string StrideOn { get; init; } = "b";

    /// <summary>Spatial stride of block 0 of res2..res5 (on the stride-carrying conv and the shortcut).</summary>
    public int[] SpatialStrides { get; init; } = [1, 2, 2, 2];

    /// <summary>Temporal stride of block 0 of res2..res5 (R3D and R(2+1)D halve the frames at res3..res5).</summary>
    public int[] TemporalStrides { get; init; } = [1, 1, 1, 1];

    /// <summary>
    /// R(2+1)D: every conv with a temporal and a spatial extent runs as a (1, kh, kw) conv `{name}.spatial`
    /// (width from its tensor, BN folded, ReLU) followed by a (kt, 1, 1) conv `{name}`.
    /// </summary>
    public bool Factorized { get; init; }

    public StemSpec Stem { get; init; } = new();

    public PoolSpec? PoolAfterRes2 { get; init; }

    public int[][] TemporalKernels { get; init; } = [[1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1, 1, 1], [1, 1, 1]];

    public NonLocalSpec[] Nonlocal { get; init; } = [];

    public HeadSpec Head { get; init; } = new();

    public double BnEpsilon { get; init; } = 1e-5;

    public const string Bottleneck = "bottleneck";
    public const string Basic = "basic";

    /// <summary>Marks a <see cref="HeadSpec.Pool"/> axis that spans the whole extent of res5's output for the clip being compiled.</summary>
    public const int WholeExtent = -1;

    public bool IsBasic => Block == Basic;

    /// <summary>The width of the inner convs of stage <paramref name="stage"/> (0 = res2).</summary>
    public int InnerWidth(int stage) => (InnerWidths ?? (IsBasic ? OutWidths : [64, 128, 256, 512]))[stage];

    /// <summary>The stride of block 0 of stage <paramref name="stage"/> (0 = res2); other blocks have stride 1.</summary>
    public Size3 StageStride(int stage) => new(TemporalStrides[stage], SpatialStrides[stage], SpatialStrides[stage]);

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
        Check(InnerWidths is null or { Length: 4 } && OutWidths.Length == 4, "inner_widths and out_widths need four entries");
        Check(TemporalKernels.Length == 4 && TemporalKernels.Select((k, s) => k.Length == StageBlocks[s] && k.All(t => t > 0)).All(x => x),
            "temporal_kernels must give one size per block of each stage, each positive");
        Check(Block is Bottleneck or Basic, $"block '{Block}' is neither '{Bottleneck}' nor '{Basic}'");
        Check(InflateStyle is "3x1x1" or "3x3x3", $"inflate_style '{InflateStyle}' is neither '3x1x1' nor '3x3x3'");
        Check(StrideOn is "a" or "b", $"stride_on '{StrideOn}' is neither 'a' nor 'b'");
        Check(!IsBasic || InnerWidths is null || InnerWidths.SequenceEqual(OutWidths),
            $"basic blocks have no inner width: inner_widths [{string.Join(", ", InnerWidths ?? [])}] must equal out_widths [{string.Join(", ", OutWidths)}] or be left out");
        Check(SpatialStrides.Length == 4 && SpatialStrides.All(v => v > 0), $"spatial_strides [{string.Join(", ", SpatialStrides)}] must be four positive strides");
        Check(TemporalStrides.Length == 4 && TemporalStrides.All(v => v > 0), $"temporal_strides [{string.Join(", ", TemporalStrides)}] must be four positive strides");
        Check(Stem.Kernel.Length == 3 && Stem.Stride.Length == 3 && Stem.Padding.Length == 3, "stem kernel, stride and padding are [t, h, w]");
        foreach (var nl in Nonlocal)
        {
            Check(nl.Stage is >= 2 and <= 5 && nl.Block >= 0 && nl.Block < StageBlocks[nl.Stage - 2],
                $"non-local block at stage {nl.Stage} block {nl.Block} is outside the network");
        }
        Check(Head.Kind is "global_avg_fc" or "fully_conv", $"head kind '{Head.Kind}' is neither 'global_avg_fc' nor 'fully_conv'");
        Check(Head.Kind != "fully_conv" || Head.Pool is { Length: 3 }, "a fully_conv head needs pool [t, h, w]");
        Check(Head.Pool is null || Head.Pool.All(v => v > 0 || v == WholeExtent),
            $"head pool [{string.Join(", ", Head.Pool ?? [])}]: each entry is a positive size or {WholeExtent} (the whole extent of res5's output)");
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

    /// <summary>Where a non-local block goes; its variant is read by <see cref="NonLocalJson.Parse"/> into <see cref="PackageMetadata.NonLocal"/> from the same JSON entry.</summary>
    public sealed record NonLocalSpec
    {
        public int Stage { get; init; }

        public int Block { get; init; }
    }

    public sealed record HeadSpec
    {
        public string Kind { get; init; } = "global_avg_fc";

        public int Classes { get; init; } = 400;

        /// <summary>
        /// The average-pool kernel [t, h, w] of a fully_conv head (stride 1); <see cref="WholeExtent"/> on an
        /// axis is res5's whole output extent there, resolved when the graph is built for a clip.
        /// </summary>
        public int[]? Pool { get; init; }
    }
}
