using System.Text.Json;
using System.Text.Json.Serialization;

namespace Engine.Models.Detection;

/// <summary>
/// The `architecture` metadata of a detector package (`"kind": "maskrcnn-fpn"`, `"fasterrcnn-fpn"` or
/// `"keypointrcnn-fpn"`), as documented in docs/weight-package.md (Detectors): a ResNet-FPN
/// Mask/Faster/Keypoint R-CNN.
/// </summary>
public sealed record DetectorArchitecture
{
    public const string MaskKind = "maskrcnn-fpn";
    public const string BoxKind = "fasterrcnn-fpn";
    public const string KeypointKind = "keypointrcnn-fpn";

    /// <summary>Whether a package kind is one of the detectors <see cref="DetectorBuilder"/> builds.</summary>
    public static bool IsDetector(string? kind) => kind is MaskKind or BoxKind or KeypointKind;

    public string Kind { get; init; } = MaskKind;

    public int StemWidth { get; init; } = 64;

    public int[] StageBlocks { get; init; } = [3, 4, 6, 3];

    /// <summary>detectron2's MSRA models stride the first 1x1 of a block; torchvision the 3x3.</summary>
    /// <remarks>Named explicitly: the snake-case policy would read `stride_in1x1`, not the documented key.</remarks>
    [JsonPropertyName("stride_in_1x1")]
    public bool StrideIn1x1 { get; init; }

    public int FpnChannels { get; init; } = 256;

    public int AnchorsPerLocation { get; init; } = 3;

    public int BoxHeadDim { get; init; } = 1024;

    /// <summary>Classifier outputs, background included.</summary>
    public int Classes { get; init; } = 91;

    /// <summary>"first" (torchvision) or "last" (detectron2, whose deltas and mask logits cover the foreground only).</summary>
    public string Background { get; init; } = "first";

    public int? MaskHeadDim { get; init; }

    public bool RoiAlignAligned { get; init; }

    /// <summary>Width and count of the keypoint head's 3x3 convs (torchvision's KeypointRCNNHeads: 8 of 512).</summary>
    public int? KeypointHeadDim { get; init; }

    public int KeypointHeadConvs { get; init; } = 8;

    /// <summary>Keypoint names in heatmap order (torchvision's COCO person keypoints for 17).</summary>
    public string[] KeypointNames { get; init; } = [];

    /// <summary>The transform's target short side and long-side cap (torchvision's min_size, max_size).</summary>
    public int MinSize { get; init; } = 800;

    public int MaxSize { get; init; } = 1333;

    /// <summary>
    /// Non-local blocks in the backbone; each entry also carries the block's variant (read by
    /// <see cref="NonLocalJson.Parse"/>, in <see cref="PackageMetadata.NonLocal"/>) and runs right before block <c>before_block</c> of
    /// stage <c>stage</c> (the paper's placement: before the last res4 block).
    /// </summary>
    public NonLocalSpec[] Nonlocal { get; init; } = [];

    public bool HasMasks => Kind == MaskKind;

    public bool HasKeypoints => Kind == KeypointKind;

    /// <summary>
    /// A detectron2 network (background last): its test-time rules replace torchvision's from the
    /// resize to the mask paste (<see cref="Detectron2Rules"/>).
    /// </summary>
    public bool Detectron2 => Background == "last";

    /// <summary>Inner (bottleneck) width of stage s (2..5).</summary>
    public int InnerWidth(int stage) => StemWidth << (stage - 2);

    public int OutWidth(int stage) => InnerWidth(stage) * 4;

    public static DetectorArchitecture Parse(JsonElement json, string source)
    {
        var arch = ArchitectureJson.Read<DetectorArchitecture>(json, source);
        arch.Validate(source);
        return arch;
    }

    private void Validate(string source)
    {
        void Check(bool ok, string message) => ArchitectureJson.Require(ok, source, message);
        Check(IsDetector(Kind), $"kind '{Kind}' is none of '{MaskKind}', '{BoxKind}', '{KeypointKind}'");
        Check(StageBlocks.Length == 4 && StageBlocks.All(b => b > 0), $"stage_blocks [{string.Join(", ", StageBlocks)}] must be four positive counts");
        Check(StemWidth > 0 && FpnChannels > 0 && BoxHeadDim > 0 && AnchorsPerLocation > 0, "widths and anchors must be positive");
        Check(Classes > 1, $"classes {Classes} must count the background and at least one class");
        Check(Background is "first" or "last", $"background '{Background}' is neither 'first' nor 'last'");
        Check(RoiAlignAligned == Detectron2, $"roi_align_aligned {RoiAlignAligned} with background '{Background}': detectron2 networks (background last) pool with RoIAlignV2 (aligned), torchvision ones without");
        Check(!HasMasks || MaskHeadDim > 0, "a mask network needs mask_head_dim");
        Check(!HasKeypoints || (KeypointHeadDim > 0 && KeypointHeadConvs > 0 && KeypointNames.Length > 0),
            "a keypoint network needs keypoint_head_dim, keypoint_head_convs and keypoint_names");
        Check(MinSize > 0 && MaxSize >= MinSize, $"min_size {MinSize} and max_size {MaxSize} must be positive and ordered");
        foreach (var nl in Nonlocal)
        {
            Check(nl.Stage is >= 2 and <= 5 && nl.BeforeBlock >= 0 && nl.BeforeBlock < StageBlocks[nl.Stage - 2],
                $"non-local block before stage {nl.Stage} block {nl.BeforeBlock} is outside the network");
        }
    }

    /// <summary>Where a backbone non-local block goes.</summary>
    public sealed record NonLocalSpec
    {
        public int Stage { get; init; }

        public int BeforeBlock { get; init; }
    }
}
