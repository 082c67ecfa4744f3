namespace Engine.Contracts;

/// <summary>
/// What a network's result shows: top-k labels, boxes, masks, a heat map, and (API 1.2) line segments
/// such as keypoint skeletons. Plugins never draw pixels.
/// </summary>
public sealed record DisplayMetadata(IReadOnlyList<LabelScore> TopK, IReadOnlyList<BoxF> Boxes, IReadOnlyList<MaskF> Masks, HeatMap? HeatMap,
    IReadOnlyList<LineF>? Lines = null)
{
    public static DisplayMetadata Empty { get; } = new([], [], [], null);
}
