using System.Globalization;
using System.Text.Json;
using Engine.Contracts;

namespace NonLocalDetect;

/// <summary>
/// nonlocal-detect: runs a converted Mask/Faster R-CNN package (torchvision or detectron2, with or
/// without a non-local block) on whole frames, one at a time, and shows its detections: boxes with
/// the package's label names and scores, and for mask networks each instance's mask thresholded and
/// drawn in its class colour. The frame is neither cropped nor letterboxed: the host only shrinks it
/// to the package's target size (min_size, max_size) and the network's transform does the rest.
/// </summary>
public sealed class NonLocalDetectPlugin : IPlugin
{
    private static readonly uint[] _palette = [0xE6194B, 0x3CB44B, 0x4363D8, 0xF58231, 0x911EB4, 0x46F0F0, 0xF032E6, 0xBCF60C, 0xFABEBE, 0x008080];

    /// <summary>What a detector graph takes: RGB in 0..1.</summary>
    private static readonly Normalization _rawRgb = new(1.0, [0, 0, 0], [1, 1, 1]);

    private ParameterValues? _parameters;
    private ModelInfo? _model;
    private HashSet<int>? _classes;
    private (int Width, int Height) _input;

    public IReadOnlyList<ParameterSpec> Parameters { get; } =
    [
        ParameterSpec.Float("score_threshold", "hide detections scoring below this", 0.5, 0.0, 1.0),
        ParameterSpec.Int("max_detections", "show at most this many detections (best first)", 100, 1, 100),
        ParameterSpec.Float("mask_threshold", "a mask covers the pixels whose probability is at least this", 0.5, 0.0, 1.0),
        ParameterSpec.Float("mask_alpha", "mask opacity (0 hides masks)", 0.5, 0.0, 1.0),
        ParameterSpec.Text("classes", "show only these classes: label names or class indices, comma-separated (empty = all)", ""),
        ParameterSpec.Int("every", "run every N frames (0 = whenever the previous run has finished)", 0, 0, 10000),
    ];

    public IReadOnlyList<NodeSpec> Configure(PluginContext context)
    {
        _parameters = context.Parameters;
        _model = context.Model ?? throw new InvalidOperationException("nonlocal-detect needs a converted detector package: pass --model PATH.safetensors (see weight-converter).");
        using var architecture = JsonDocument.Parse(_model.ArchitectureJson);
        var arch = architecture.RootElement;
        var kind = arch.TryGetProperty("kind", out var k) ? k.GetString() : null;
        if (kind is not ("maskrcnn-fpn" or "fasterrcnn-fpn"))
            throw new InvalidOperationException($"{_model.Path}: architecture kind '{kind}' is not a detector (maskrcnn-fpn or fasterrcnn-fpn).");
        int Size(string key, int fallback) => arch.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : fallback;
        _classes = ParseClasses(context.Parameters["classes"], _model.Labels);
        // RGB 0..1: the detector's own transform normalises as its package says (detectron2: BGR 0..255).
        var frame = new FrameGeometry(Size("max_size", 1333), Size("min_size", 800), _rawRgb);
        var outputs = kind == "maskrcnn-fpn" ? new[] { OutputKind.Boxes, OutputKind.Masks } : [OutputKind.Boxes];
        return [new NodeSpec("detect", new NodeInput(frame), outputs, context.Parameters.Int("every"))];
    }

    public void Build(NodeSpec node, INetworkBuilder network)
    {
        _input = (network.Input.Shape[3], network.Input.Shape[2]);
        var d = network.Detector(_model!.Path, network.Input);
        network.Output("boxes", d.Boxes);
        network.Output("scores", d.Scores);
        network.Output("labels", d.Labels);
        network.Output("count", d.Count);
        if (d.Masks is { } masks && _parameters!.Float("mask_alpha") > 0)
            network.Output("masks", masks);
    }

    public DisplayMetadata Interpret(NodeSpec node, NodeResult result)
    {
        var p = _parameters!;
        var (boxes, scores, labels) = (result.Outputs["boxes"].Values, result.Outputs["scores"].Values, result.Outputs["labels"].Values);
        var count = Math.Min((int)result.Outputs["count"].Values[0], scores.Length);
        var threshold = p.Float("score_threshold");
        var kept = Enumerable.Range(0, count)
            .Where(i => scores[i] >= threshold && (_classes is null || _classes.Contains((int)labels[i])))
            .OrderByDescending(i => scores[i]).ThenBy(i => i)
            .Take(p.Int("max_detections")).ToArray();

        // Boxes are in pixels of the node's input, which covers crop 0 (the whole frame).
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
        return new DisplayMetadata([], shown, masks, null);
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
