using System.Text.Json.Nodes;

namespace WeightConverter.Dialects;

/// <summary>
/// A video family's released defaults for what the weights do not record: clip geometry, temporal
/// strides, stem pooling, head, non-local details, input normalisation and BN epsilon
/// (checkpoints.md sections 2-4).
/// </summary>
internal sealed record VideoDefaults(
    string Dialect,
    double Epsilon,
    int Frames,
    int SamplingRate,
    string Instantiation,
    bool Scale,
    string Subsample,
    string HeadKind,
    bool PaddedStemPool,
    bool LongClipTemporalStride,
    bool Pool1KernelFollowsStride,
    bool PoolAfterRes2,
    JsonObject Normalization)
{
    public static JsonObject KineticsNormalization() => new() { ["space"] = "rgb", ["scale"] = 255, ["mean"] = new JsonArray(114.75, 114.75, 114.75), ["std"] = new JsonArray(57.375, 57.375, 57.375) };

    public static JsonObject ImageNetNormalization255() => new() { ["space"] = "rgb", ["scale"] = 255, ["mean"] = new JsonArray(123.675, 116.28, 103.53), ["std"] = new JsonArray(58.395, 57.12, 57.375) };

    public static JsonObject ImageNetNormalization01() => new() { ["space"] = "rgb", ["scale"] = 1, ["mean"] = new JsonArray(0.485, 0.456, 0.406), ["std"] = new JsonArray(0.229, 0.224, 0.225) };

    /// <summary>The original Caffe2 release: 32x2 clips, unpadded stem pool, fully-convolutional head, softmax non-local.</summary>
    public static VideoDefaults VideoNonlocalNet => new("video-nonlocal-net", 1.0000001e-5, 32, 2, "embedded_gaussian", true, "pool_then_conv", "fully_conv", false, true, true, true, KineticsNormalization());

    /// <summary>PySlowFast's I3D NLN 8x8 configuration (dot-product non-local).</summary>
    public static VideoDefaults PySlowFast => new("pyslowfast", 1e-5, 8, 8, "dot_product", true, "pool_then_conv", "fully_conv", true, false, false, true, KineticsNormalization());

    /// <summary>mmaction2's I3D NL 32x2x1 configurations (use_scale false, conv then pool).</summary>
    public static VideoDefaults Mmaction2 => new("mmaction2", 1e-5, 32, 2, "embedded_gaussian", false, "conv_then_pool", "global_avg_fc", true, true, false, true, ImageNetNormalization255());

    /// <summary>torchvision's ImageNet ResNets run as 2D networks (one frame) or inflated into C2D/I3D.</summary>
    public static VideoDefaults Torchvision(string? inflate) => new("torchvision", 1e-5, inflate is null ? 1 : 8, inflate is null ? 1 : 8, "embedded_gaussian", true, "pool_then_conv", "global_avg_fc", true, false, false, inflate is not null, ImageNetNormalization01());

    public static VideoDefaults For(string dialect, string? inflate) => dialect switch
    {
        "video-nonlocal-net" => VideoNonlocalNet,
        "pyslowfast" => PySlowFast,
        "mmaction2" => Mmaction2,
        _ => Torchvision(inflate),
    };
}
