namespace Engine.Contracts;

/// <summary>What a node's result shows: top-k labels, boxes, masks, a heat map. Plugins never draw pixels.</summary>
public sealed record DisplayMetadata(IReadOnlyList<LabelScore> TopK, IReadOnlyList<BoxF> Boxes, IReadOnlyList<MaskF> Masks, HeatMap? HeatMap)
{
    public static DisplayMetadata Empty { get; } = new([], [], [], null);
}
