namespace Engine.Models.Detection;

/// <summary>
/// The stages of a detector graph, read from its node names (<see cref="DetectorBuilder"/> names
/// every node after the part of the network it belongs to), so a profile can be summed per stage:
/// the transform, the backbone with its non-local blocks, the FPN, the RPN head, the proposals
/// (anchors, decode, top-k, per-level NMS), the box head with the class-aware NMS and the final
/// detections, the mask head, the mask paste, and the keypoint head with its heatmap decoding.
/// </summary>
public static class DetectorStages
{
    public const string Transform = "transform";
    public const string Backbone = "backbone";
    public const string Fpn = "fpn";
    public const string RpnHead = "rpn_head";
    public const string Proposals = "proposals";
    public const string BoxHead = "box_head";
    public const string MaskHead = "mask_head";
    public const string Paste = "paste";
    public const string KeypointHead = "keypoint_head";

    /// <summary>A node that no rule places (a name this table does not know yet).</summary>
    public const string Other = "other";

    /// <summary>Every stage in network order.</summary>
    public static IReadOnlyList<string> All { get; } = [Transform, Backbone, Fpn, RpnHead, Proposals, BoxHead, MaskHead, Paste, KeypointHead];

    /// <summary>The stage of the node named <paramref name="node"/>; <see cref="Other"/> when no rule places it.</summary>
    public static string Of(string node) => node switch
    {
        "transform" => Transform,
        _ when node.StartsWith("backbone.", StringComparison.Ordinal) => Backbone,
        _ when node.StartsWith("fpn.", StringComparison.Ordinal) => Fpn,
        _ when node.StartsWith("rpn.conv.", StringComparison.Ordinal) || node.StartsWith("rpn.objectness.", StringComparison.Ordinal)
            || node.StartsWith("rpn.deltas.", StringComparison.Ordinal) => RpnHead,
        _ when node.StartsWith("rpn.", StringComparison.Ordinal) => Proposals,
        _ when node.StartsWith("roi.box.", StringComparison.Ordinal) => BoxHead,
        DetectorBuilder.PasteNode => Paste,
        _ when node.StartsWith("roi.mask.", StringComparison.Ordinal) => MaskHead,
        _ when node.StartsWith("roi.keypoint.", StringComparison.Ordinal) => KeypointHead,
        _ => Other,
    };
}
