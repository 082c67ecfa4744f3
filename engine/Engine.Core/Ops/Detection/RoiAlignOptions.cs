namespace Engine.Ops.Detection;

/// <summary>
/// How <see cref="RoiAlign"/> pools: output bins, samples per bin (0: adaptive ceil(roi / bin)),
/// the half-pixel shift of aligned=True, and MultiScaleRoIAlign's level mapping
/// floor(CanonicalLevel + log2(sqrt(area) / CanonicalSize) + LevelEpsilon), with the epsilon inside
/// the log2 for detectron2.
/// </summary>
public sealed record RoiAlignOptions(int OutputHeight, int OutputWidth, int SamplingRatio = 2, bool Aligned = false,
    int CanonicalLevel = 4, float CanonicalSize = 224, float LevelEpsilon = 1e-6f, bool EpsilonInsideLog = false)
{
    /// <summary>torchvision's MultiScaleRoIAlign (aligned=False, sampling ratio 2) with a square output, 7 for boxes and 14 for masks.</summary>
    public static RoiAlignOptions Torchvision(int size) => new(size, size);

    /// <summary>detectron2's ROIAlignV2 pooler (aligned=True, adaptive sampling, eps 1e-8 inside the log).</summary>
    public static RoiAlignOptions Detectron2(int size) => new(size, size, 0, true, 4, 224, 1e-8f, true);
}
