using System.Globalization;
using System.Text.Json;
using Engine.Contracts;

namespace NonLocalDetect;

/// <summary>
/// nonlocal-detect: runs a converted Mask/Faster/Keypoint R-CNN package (torchvision or detectron2,
/// with or without a non-local block) on whole frames, one at a time, and shows its detections: boxes
/// with the package's label names and scores, for mask networks each instance's mask thresholded and
/// drawn in its class colour, and for keypoint networks each instance's skeleton (the COCO person
/// skeleton for the 17 COCO keypoints, else the keypoints alone) as lines and dots. The frame is
/// neither cropped nor letterboxed: the host only shrinks it to the package's target size (min_size,
/// max_size) and the network's transform does the rest.
/// </summary>
public sealed class NonLocalDetectPlugin : IPlugin
{
    private static readonly uint[] _palette = [0xE6194B, 0x3CB44B, 0x4363D8, 0xF58231, 0x911EB4, 0x46F0F0, 0xF032E6, 0xBCF60C, 0xFABEBE, 0x008080];

    /// <summary>torchvision's _COCO_PERSON_KEYPOINT_NAMES (models/_meta.py), which the converter writes for 17 keypoints.</summary>
    private static readonly string[] _cocoKeypointNames =
    [
        "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
        "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    ];

    /// <summary>
    /// The COCO person skeleton as pairs of keypoint indices (0-based) in torchvision's
    /// _COCO_PERSON_KEYPOINT_NAMES order: the `skeleton` of COCO's person_keypoints annotations
    /// (1-based there), limbs first, then the head.
    /// </summary>
    private static readonly (int A, int B)[] _cocoSkeleton =
    [
        (15, 13), (13, 11), (16, 14), (14, 12), (11, 12), (5, 11), (6, 12), (5, 6), (5, 7), (6, 8), (7, 9), (8, 10),
        (1, 2), (0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 6),
    ];

    /// <summary>What a detector graph takes: RGB in 0..1.</summary>
    private static readonly Normalization _rawRgb = new(1.0, [0, 0, 0], [1, 1, 1]);

    private ParameterValues? _parameters;
    private ModelInfo? _model;
    private HashSet<int>? _classes;
    private (int Width, int Height) _input;
    private (int A, int B)[] _skeleton = [];

    public IReadOnlyList<ParameterSpec> Parameters { get; } =
    [
        ParameterSpec.Float("score_threshold", "hide detections scoring below this", 0.5, 0.0, 1.0),
        ParameterSpec.Int("max_detections", "show at most this many detections (best first)", 100, 1, 100),
        ParameterSpec.Float("mask_threshold", "a mask covers the pixels whose probability is at least this", 0.5, 0.0, 1.0),
        ParameterSpec.Float("mask_alpha", "mask opacity (0 hides masks)", 0.5, 0.0, 1.0),
        ParameterSpec.Float("keypoint_threshold", "hide keypoints whose heatmap logit (torchvision's keypoint score) is below this", 0.0, -100.0, 100.0),
        ParameterSpec.Text("classes", "show only these classes: label names or class indices, comma-separated (empty = all)", ""),
        ParameterSpec.Int("every", "run every N frames (0 = whenever the previous run has finished)", 0, 0, 10000),
    ];

    public IReadOnlyList<NetworkSpec> Configure(PluginContext context)
    {
        _parameters = context.Parameters;
        _model = context.Model ?? throw new InvalidOperationException("nonlocal-detect needs a converted detector package: pass --model PATH.safetensors (see weight-converter).");
        using var architecture = JsonDocument.Parse(_model.ArchitectureJson);
        var arch = architecture.RootElement;
        var kind = arch.TryGetProperty("kind", out var k) ? k.GetString() : null;
        if (kind is not ("maskrcnn-fpn" or "fasterrcnn-fpn" or "keypointrcnn-fpn"))
            throw new InvalidOperationException($"{_model.Path}: architecture kind '{kind}' is not a detector (maskrcnn-fpn, fasterrcnn-fpn or keypointrcnn-fpn).");
        int Size(string key, int fallback) => arch.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : fallback;
        _classes = ParseClasses(context.Parameters["classes"], _model.Labels);
        // RGB 0..1: the detector's own transform normalises as its package says (detectron2: BGR 0..255).
        var frame = new FrameGeometry(Size("max_size", 1333), Size("min_size", 800), _rawRgb);
        var outputs = kind switch
        {
            "maskrcnn-fpn" => new[] { OutputKind.Boxes, OutputKind.Masks },
            "keypointrcnn-fpn" => [OutputKind.Boxes, OutputKind.Lines],
            _ => [OutputKind.Boxes],
        };
        if (kind == "keypointrcnn-fpn")
        {
            var names = arch.TryGetProperty("keypoint_names", out var n) && n.ValueKind == JsonValueKind.Array ? n.EnumerateArray().Select(e => e.GetString()).ToArray() : [];
            _skeleton = names.SequenceEqual(_cocoKeypointNames) ? _cocoSkeleton : [];
        }
        return [new NetworkSpec("detect", new NetworkInput(frame), outputs, context.Parameters.Int("every"))];
    }

    public void Build(NetworkSpec spec, INetworkBuilder network)
    {
        _input = (network.Input.Shape[3], network.Input.Shape[2]);
        var d = network.Detector(_model!.Path, network.Input);
        network.Output("boxes", d.Boxes);
        network.Output("scores", d.Scores);
        network.Output("labels", d.Labels);
        network.Output("count", d.Count);
        if (d.Masks is { } masks && _parameters!.Float("mask_alpha") > 0)
            network.Output("masks", masks);
        if (d.Keypoints is { } keypoints)
            network.Output("keypoints", keypoints);
    }

    public DisplayMetadata Interpret(NetworkSpec spec, NetworkResult result)
    {
        var p = _parameters!;
        var (boxes, scores, labels) = (result.Outputs["boxes"].Values, result.Outputs["scores"].Values, result.Outputs["labels"].Values);
        var count = Math.Min((int)result.Outputs["count"].Values[0], scores.Length);
        var threshold = p.Float("score_threshold");
        var kept = Enumerable.Range(0, count)
            .Where(i => scores[i] >= threshold && (_classes is null || _classes.Contains((int)labels[i])))
            .OrderByDescending(i => scores[i]).ThenBy(i => i)
            .Take(p.Int("max_detections")).ToArray();

        // Boxes are in pixels of the spec's input, which covers crop 0 (the whole frame).
        var crop = result.Crops[0];
        var (w, h) = _input;
        RegionF Region(double x1, double y1, double x2, double y2) => new(
            crop.X0 + x1 / w * (crop.X1 - crop.X0), crop.Y0 + y1 / h * (crop.Y1 - crop.Y0),
            crop.X0 + x2 / w * (crop.X1 - crop.X0), crop.Y0 + y2 / h * (crop.Y1 - crop.Y0));

        var shown = new List<BoxF>();
        var masks = new List<MaskF>();
        result.Outputs.TryGetValue("masks", out var pasted);
        var opacity = (uint)Math.Round(p.Float("mask_alpha") * 255);
        var maskThreshold = p.Float("mask_threshold");
        foreach (var i in kept)
        {
            var label = (int)labels[i];
            var (x1, y1, x2, y2) = (boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]);
            shown.Add(new BoxF(Region(x1, y1, x2, y2), Name(label), scores[i]));
            if (pasted is null || opacity == 0)
                continue;
            // The pasted mask is zero outside the box (expanded by torchvision's 30/28), so the box's
            // pixels, widened by one, carry all of it.
            var (mw, mh) = (pasted.Shape[2], pasted.Shape[1]);
            var (c0, r0) = (Math.Clamp((int)Math.Floor(x1) - 1, 0, mw), Math.Clamp((int)Math.Floor(y1) - 1, 0, mh));
            var (c1, r1) = (Math.Clamp((int)Math.Ceiling(x2) + 1, c0, mw), Math.Clamp((int)Math.Ceiling(y2) + 1, r0, mh));
            if (c1 <= c0 || r1 <= r0)
                continue;
            var values = new float[(c1 - c0) * (r1 - r0)];
            var plane = (long)i * mw * mh;
            for (var r = r0; r < r1; r++)
            {
                for (var c = c0; c < c1; c++)
                    values[(r - r0) * (c1 - c0) + c - c0] = pasted.Values[plane + (long)r * mw + c] >= maskThreshold ? 1f : 0f;
            }
            masks.Add(new MaskF(Region(c0, r0, c1, r1), c1 - c0, r1 - r0, values, (opacity << 24) | _palette[label % _palette.Length]));
        }
        return new DisplayMetadata([], shown, masks, null, result.Outputs.TryGetValue("keypoints", out var keypoints) ? Skeletons(kept, labels, keypoints, Region) : null);
    }

    /// <summary>
    /// Each kept detection's skeleton in its class colour: a segment per pair whose keypoints both
    /// score at least keypoint_threshold, then a dot per such keypoint.
    /// </summary>
    private List<LineF> Skeletons(int[] kept, float[] labels, OutputTensor keypoints, Func<double, double, double, double, RegionF> region)
    {
        var threshold = _parameters!.Float("keypoint_threshold");
        var k = keypoints.Shape[1];
        var lines = new List<LineF>();
        foreach (var i in kept)
        {
            var colour = _palette[(int)labels[i] % _palette.Length];
            RegionF Point(int j) => region(keypoints.Values[(i * k + j) * 3], keypoints.Values[(i * k + j) * 3 + 1], keypoints.Values[(i * k + j) * 3], keypoints.Values[(i * k + j) * 3 + 1]);
            bool Shown(int j) => j < k && keypoints.Values[(i * k + j) * 3 + 2] >= threshold;
            foreach (var (a, b) in _skeleton.Where(e => Shown(e.A) && Shown(e.B)))
            {
                var (p, q) = (Point(a), Point(b));
                lines.Add(new LineF(p.X0, p.Y0, q.X0, q.Y0, colour));
            }
            foreach (var j in Enumerable.Range(0, k).Where(Shown))
            {
                var p = Point(j);
                lines.Add(new LineF(p.X0, p.Y0, p.X0, p.Y0, colour, 4));
            }
        }
        return lines;
    }

    private string Name(int label) =>
        label >= 0 && label < _model!.Labels.Count ? _model.Labels[label] : $"class {label.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The class indices a comma-separated list of names or indices selects (null = every class).</summary>
    private static HashSet<int>? ParseClasses(string text, IReadOnlyList<string> labels)
    {
        var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length == 0)
            return null;
        var set = new HashSet<int>();
        foreach (var item in items)
        {
            var index = labels.ToList().FindIndex(l => string.Equals(l, item, StringComparison.OrdinalIgnoreCase));
            if (index < 0 && !int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out index))
                throw new InvalidOperationException($"classes: '{item}' is neither a label of the package nor a class index.");
            set.Add(index);
        }
        return set;
    }
}
