using System.Text.Json.Nodes;
using WeightConverter.Rules;

namespace WeightConverter.Dialects;

/// <summary>
/// The settings of a detectron2 Mask/Faster R-CNN that its checkpoint does not carry (neither
/// DetectionCheckpointer's file nor a model-zoo pickle holds the config): detectron2's
/// config/defaults.py values, which are the R50-FPN model zoo's (MSRA ImageNet backbone, BGR input),
/// each recorded as an assumption the converter prints as a warning. A model trained with other
/// values (e.g. a torchvision-backbone config: STRIDE_IN_1X1 False, RGB, PIXEL_STD [57.375, 57.12,
/// 58.395]) would convert to the wrong network: those configs are not supported yet.
/// </summary>
internal static class Detectron2Defaults
{
    private const string NoConfig = "a detectron2 checkpoint carries no config; detectron2 config/defaults.py";

    /// <summary>MODEL.RESNETS.STRIDE_IN_1X1: the stride on each stage's first 1x1 conv (MSRA backbones).</summary>
    public static bool StrideIn1x1(Derivation d) =>
        d.Record("stride_in_1x1", Choice.Default(true, $"{NoConfig} MODEL.RESNETS.STRIDE_IN_1X1 = True"));

    /// <summary>INPUT.FORMAT "BGR" on 0..255 pixels, MODEL.PIXEL_MEAN [103.53, 116.28, 123.675] and PIXEL_STD [1, 1, 1].</summary>
    public static JsonObject Normalization(Derivation d) =>
        d.Record("normalization", Choice.Default(Normalizations.Make("bgr", 255, [103.53, 116.28, 123.675], [1, 1, 1]),
            $"{NoConfig} INPUT.FORMAT = BGR, MODEL.PIXEL_MEAN = [103.53, 116.28, 123.675], MODEL.PIXEL_STD = [1, 1, 1]"));

    /// <summary>INPUT.MIN_SIZE_TEST (ResizeShortestEdge's short side), or --min-size.</summary>
    public static int MinSize(Derivation d, ConvertOptions options) =>
        d.Decide("min_size", null, Choice.Flag(options.MinSize, "--min-size"), Choice.Default(800, $"{NoConfig} INPUT.MIN_SIZE_TEST = 800"));

    /// <summary>INPUT.MAX_SIZE_TEST (ResizeShortestEdge's long-side cap), or --max-size.</summary>
    public static int MaxSize(Derivation d, ConvertOptions options) =>
        d.Decide("max_size", null, Choice.Flag(options.MaxSize, "--max-size"), Choice.Default(1333, $"{NoConfig} INPUT.MAX_SIZE_TEST = 1333"));
}
