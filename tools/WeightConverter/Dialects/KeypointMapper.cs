using System.Text.Json.Nodes;
using Engine;
using WeightConverter.Package;

namespace WeightConverter.Dialects;

/// <summary>
/// The keypoint head of a torchvision Keypoint R-CNN checkpoint (keypoint_rcnn.py): KeypointRCNNHeads,
/// a Sequential of 3x3 convs and ReLUs (`roi_heads.keypoint_head.{0,2,4,...}`), and
/// KeypointRCNNPredictor's ConvTranspose2d `roi_heads.keypoint_predictor.kps_score_lowres`. Older
/// torchvision releases name these keys the same (neither module has a `_load_from_state_dict`
/// version upgrade, unlike MaskRCNNHeads, the RPN head and the FPN, whose legacy names
/// <see cref="DetectorMapper"/> reads), so a legacy Keypoint R-CNN checkpoint differs only there.
/// </summary>
internal static class KeypointMapper
{
    private const string Head = "roi_heads.keypoint_head";
    private const string Predictor = "roi_heads.keypoint_predictor.kps_score_lowres";

    /// <summary>torchvision's _COCO_PERSON_KEYPOINT_NAMES (models/_meta.py), the heatmap order of its COCO weights.</summary>
    private static readonly string[] _cocoPersonKeypoints =
    [
        "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
        "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    ];

    /// <summary>
    /// Emits `roi.keypoint.conv{1..n}` and `roi.keypoint.deconv` (its (in, out, 4, 4) layout kept) and
    /// returns the architecture entries of the head, or null when the checkpoint has no keypoint head.
    /// </summary>
    public static JsonObject? Map(StateDict source, ConvFolder folder, MappedModel model, long fpnChannels)
    {
        var convs = 0;
        while (source.Has($"{Head}.{2 * convs}.weight"))
            convs++;
        if (convs == 0)
            return null;
        var dim = source.ShapeOf($"{Head}.0.weight")![0];
        var previous = fpnChannels;
        for (var i = 0; i < convs; i++)
        {
            folder.Emit($"roi.keypoint.conv{i + 1}", new ConvKeys($"{Head}.{2 * i}.weight", $"{Head}.{2 * i}.bias"), [dim, previous, 3, 3], false);
            previous = dim;
        }
        var weight = Required(source, Predictor + ".weight");
        var keypoints = weight.Shape is [_, var k, _, _] ? k : -1;
        folder.CheckShape(Predictor + ".weight", weight, [dim, keypoints, 4, 4]);
        var bias = Required(source, Predictor + ".bias");
        folder.CheckShape(Predictor + ".bias", bias, [keypoints]);
        // Not through ConvFolder: a ConvTranspose2d's output channels are its weight's second axis.
        model.Tensors.Add(new PackageTensor("roi.keypoint.deconv.weight", weight.Shape, weight.ReadFloats));
        model.Tensors.Add(new PackageTensor("roi.keypoint.deconv.bias", bias.Shape, bias.ReadFloats));
        var names = keypoints == _cocoPersonKeypoints.Length ? _cocoPersonKeypoints : Enumerable.Range(0, (int)Math.Max(keypoints, 0)).Select(i => $"keypoint{i}").ToArray();
        return new JsonObject
        {
            ["keypoint_head_dim"] = dim,
            ["keypoint_head_convs"] = convs,
            ["keypoint_names"] = new JsonArray([.. names.Select(n => (JsonNode)n)]),
        };
    }

    private static Containers.CheckpointTensor Required(StateDict source, string key) =>
        source.Take(key) ?? throw new EngineException($"{source.Path}: the keypoint head ({Head}.*) has no '{key}'.");
}
