using Engine.Contracts;
using Engine.Gpu;
using Engine.Graph;
using Engine.Graph.Nodes;
using Engine.Ops;
using Engine.Ops.Detection;

namespace Engine.Models.Detection;

/// <summary>
/// Builds the inference graph of a ResNet-FPN Mask/Faster/Keypoint R-CNN package (torchvision's
/// maskrcnn_resnet50_fpn and its relatives) for one image of height x width: transform, backbone
/// (with the package's non-local blocks), FPN, RPN head, proposals, box head and the mask head or
/// the keypoint head (<see cref="KeypointHead"/>). Tensor
/// names (the `--dump` contract): input `image` (3, H, W) RGB 0..1; `transform.image`;
/// `backbone.stem`, `backbone.res{s}.{k}`, `backbone.nonlocal` (the first non-local block's output);
/// `fpn.p{2..6}`; `rpn.objectness.p{2..6}` and `rpn.deltas.p{2..6}`; `rpn.proposals` and
/// `rpn.proposals.scores` (count `rpn.count`); `roi.box.logits` and `roi.box.deltas`; the
/// `detections.*` outputs. Weights are read from the package only while the graph compiles. A
/// detectron2 package (background last) runs detectron2's test-time rules instead of torchvision's
/// where they differ (<see cref="Detectron2Rules"/>): then `rpn.proposals.scores` are objectness
/// logits and `detections.labels` detectron2's pred_classes (0..K-1).
/// </summary>
public static class DetectorBuilder
{
    public const string Input = "image";
    public const string TransformedImage = "transform.image";
    public const string NonLocalOutput = "backbone.nonlocal";
    public const string Boxes = "detections.boxes";
    public const string Scores = "detections.scores";
    public const string Labels = "detections.labels";
    public const string Count = "detections.count";
    public const string Masks = "detections.masks";
    public const string Keypoints = "detections.keypoints";
    public const string ProposalsTensor = "rpn.proposals";
    public const string ProposalScores = "rpn.proposals.scores";

    /// <summary>The kept detections' boxes in resized-image pixels (what the mask and keypoint heads pool).</summary>
    internal const string KeptBoxes = "roi.box.kept";

    /// <summary>The mask paste's node (its own stage in <see cref="DetectorStages"/>).</summary>
    public const string PasteNode = "roi.mask.paste";

    /// <summary>Detections kept after the class-aware NMS (torchvision's detections_per_img).</summary>
    public const int MaxDetections = 100;

    /// <summary>Proposals kept per level before NMS and in all after it (torchvision's rpn_pre/post_nms_top_n_test).</summary>
    public const int ProposalsPerLevel = 1000;

    /// <summary>The FPN levels the RPN runs on: P2..P5 and the pooled P6.</summary>
    public static readonly int[] Levels = [2, 3, 4, 5, 6];

    /// <summary>
    /// The graph for images of <paramref name="height"/> x <paramref name="width"/>; <paramref name="minSize"/>
    /// and <paramref name="maxSize"/> override the package's transform sizes (torchvision's min_size, max_size).
    /// With <paramref name="channelsLastInput"/> the input `image` is a channels-last (1, 1, H, W, 4) RGB
    /// 0..1 frame (what the live host's whole-frame input delivers) instead of a planar (3, H, W) one.
    /// With <paramref name="denseOnly"/> the graph stops after the RPN head, whose objectness and
    /// deltas are then its outputs (the dense network alone, for checks and benchmarks).
    /// </summary>
    public static GraphBuilder Build(WeightPackage package, int height, int width, int? minSize = null, int? maxSize = null, bool channelsLastInput = false,
        bool denseOnly = false)
    {
        var arch = Architecture(package, minSize, maxSize);
        if (height <= 0 || width <= 0)
            throw new EngineException($"{package.Path}: an image of {height}x{width} pixels.");
        var graph = new GraphBuilder(Path.GetFileNameWithoutExtension(package.Path));
        var (resized, padded) = InputSize(arch, height, width);
        graph.Input(Input, channelsLastInput ? TensorSpec.Activation(1, 1, height, width, 3) : new TensorSpec(new Shape(3, height, width)));
        // A package without `normalization` gets torchvision's ImageNet RGB 0..1.
        graph.Add(new ImageTransformNode("transform", Input, TransformedImage, package.Metadata.Normalization ?? Normalization.ImageNet, resized, padded));

        var features = Backbone(graph, package, arch, TransformedImage, padded);
        var pyramid = Fpn(graph, package, arch, features);
        RpnHead(graph, package, arch, pyramid);
        if (denseOnly)
        {
            foreach (var level in Levels)
            {
                graph.Output($"rpn.objectness.p{level}");
                graph.Output($"rpn.deltas.p{level}");
            }
            return graph;
        }
        Proposals(graph, arch, pyramid, padded, resized);
        BoxHead(graph, package, arch, pyramid, resized, (height, width));
        if (arch.HasMasks)
            MaskHead(graph, package, arch, pyramid, (height, width));
        if (arch.HasKeypoints)
            KeypointHead.Add(graph, package, arch, [.. pyramid.Take(4).Select(p => p.Name)], [1 / 4f, 1 / 8f, 1 / 16f, 1 / 32f], resized, (height, width));
        foreach (var output in Outputs(arch))
            graph.Output(output);
        return graph;
    }

    /// <summary>The package's architecture with the transform sizes overridden where given.</summary>
    public static DetectorArchitecture Architecture(WeightPackage package, int? minSize = null, int? maxSize = null)
    {
        var arch = DetectorArchitecture.Parse(package.Architecture, package.Path);
        arch = arch with { MinSize = minSize ?? arch.MinSize, MaxSize = maxSize ?? arch.MaxSize };
        if (arch.MinSize <= 0 || arch.MaxSize < arch.MinSize)
            throw new EngineException($"{package.Path}: min size {arch.MinSize} and max size {arch.MaxSize} must be positive and ordered.");
        return arch;
    }

    /// <summary>The resized (before padding) and padded network input sizes for an image.</summary>
    public static ((int H, int W) Resized, (int H, int W) Padded) InputSize(DetectorArchitecture arch, int height, int width)
    {
        var resized = arch.Detectron2 ? Detectron2Rules.ResizedSize(height, width, arch.MinSize, arch.MaxSize)
            : ImageTransform.ResizedSizeOf(height, width, arch.MinSize, arch.MaxSize);
        return (resized, ImageTransform.Padded(resized));
    }

    /// <summary>The graph outputs of a detector package: the contract with the CLI and the plugin.</summary>
    public static IReadOnlyList<string> Outputs(DetectorArchitecture arch) =>
        arch.HasMasks ? [Boxes, Scores, Labels, Count, Masks] : arch.HasKeypoints ? [Boxes, Scores, Labels, Count, Keypoints] : [Boxes, Scores, Labels, Count];

    /// <summary>
    /// torchvision's RPN filter_proposals: per level the top 1000 anchors by objectness logit, their
    /// sigmoids, boxes decoded (dw, dh clamped at log(1000/16)) and clipped to the resized image,
    /// boxes under 1e-3 dropped, probability >= 0, NMS 0.7 within each level, and the best 1000
    /// survivors of all levels by probability kept as `rpn.proposals` with their probabilities
    /// `rpn.proposals.scores` (count `rpn.count`).
    /// </summary>
    /// <remarks>
    /// Equal probabilities are common (the fp32 sigmoid maps nearby logits to one value and saturates
    /// at 1), so tie order matters. Every sort here puts the lower index first on equal scores. Within
    /// a level the candidates are in top-k order (logit descending; equal logits, whose order
    /// torch.topk leaves unspecified, by anchor index), and torchvision's NMS sorts stably, so the
    /// per-level keep lists are exactly torchvision's. Across levels the survivors are concatenated
    /// level by level in keep order, so the final top 1000 is torchvision's order when it runs one
    /// offset NMS (at most 1000 candidates) and one valid order of its unstable sort otherwise.
    /// detectron2 (proposal_generator/proposal_utils.py:find_top_rpn_proposals) differs in three
    /// rules: its anchors (<see cref="AnchorsNode"/>), the ranking by logit with no sigmoid or score
    /// threshold, and Boxes.nonempty (side > 0) for the 1e-3 minimum size.
    /// </remarks>
    private static void Proposals(GraphBuilder graph, DetectorArchitecture arch, (string Name, (int H, int W) Size)[] pyramid, (int H, int W) padded, (int H, int W) resized)
    {
        var a = arch.AnchorsPerLocation;
        float[] ratios = a == 3 ? [0.5f, 1f, 2f] : throw new EngineException($"{a} anchors per location: only torchvision's three aspect ratios (0.5, 1, 2) are known.");
        var boxes = new List<string>();
        var scores = new List<string>();
        var counts = new List<string>();
        var total = 0;
        var d2 = arch.Detectron2;
        for (var i = 0; i < pyramid.Length; i++)
        {
            var (feature, size) = pyramid[i];
            var l = Levels[i];
            var candidates = size.H * size.W * a;
            var k = Math.Min(ProposalsPerLevel, candidates);
            total += k;
            var (top, topCount) = ($"rpn.topk.p{l}", $"rpn.topk.p{l}.count");
            graph.Add(new AnchorsNode($"rpn.anchors.p{l}", feature, $"rpn.anchors.p{l}", padded.H, padded.W, [32f * (1 << i)], ratios,
                d2 ? Detectron2Rules.Stride(l) : null));
            graph.Add(new CompactChannelsNode($"rpn.logits.p{l}", $"rpn.objectness.p{l}", $"rpn.logits.p{l}"));
            graph.Add(new TopKNode(top, $"rpn.logits.p{l}", top, topCount, k));
            graph.Add(new GatherNode($"rpn.scores.p{l}", $"rpn.logits.p{l}", top, $"rpn.scores.p{l}", topCount, sigmoid: !d2));
            graph.Add(new BoxDecodeNode($"rpn.boxes.p{l}", $"rpn.anchors.p{l}", $"rpn.deltas.p{l}", $"rpn.boxes.p{l}", BoxWeights.Rpn, (resized.H, resized.W),
                indices: top, count: topCount));
            graph.Add(new ScoreFilterNode($"rpn.valid.p{l}", $"rpn.scores.p{l}", $"rpn.valid.p{l}", $"rpn.valid.p{l}.count", d2 ? -float.MaxValue : 0f, inclusive: true,
                boxes: $"rpn.boxes.p{l}", minSize: d2 ? Detectron2Rules.NonEmpty : 1e-3f, rowCount: topCount));
            graph.Add(new NmsNode($"rpn.nms.p{l}", $"rpn.boxes.p{l}", $"rpn.scores.p{l}", $"rpn.keep.p{l}", $"rpn.keep.p{l}.count", 0.7f, k,
                $"rpn.valid.p{l}", $"rpn.valid.p{l}.count"));
            graph.Add(new GatherNode($"rpn.kept.boxes.p{l}", $"rpn.boxes.p{l}", $"rpn.keep.p{l}", $"rpn.kept.boxes.p{l}", $"rpn.keep.p{l}.count"));
            graph.Add(new GatherNode($"rpn.kept.scores.p{l}", $"rpn.scores.p{l}", $"rpn.keep.p{l}", $"rpn.kept.scores.p{l}", $"rpn.keep.p{l}.count"));
            boxes.Add($"rpn.kept.boxes.p{l}");
            scores.Add($"rpn.kept.scores.p{l}");
            counts.Add($"rpn.keep.p{l}.count");
        }
        // The survivors of every level, best first (torchvision's batched_nms order), then its top 1000.
        graph.Add(new ConcatRowsNode("rpn.all.boxes", boxes, counts, "rpn.all.boxes", "rpn.all.count"));
        graph.Add(new ConcatRowsNode("rpn.all.scores", scores, counts, "rpn.all.scores", "rpn.all.scores.count"));
        graph.Add(new TopKNode("rpn.best", "rpn.all.scores", "rpn.keep", "rpn.count", Math.Min(ProposalsPerLevel, total), count: "rpn.all.count"));
        graph.Add(new GatherNode(ProposalsTensor, "rpn.all.boxes", "rpn.keep", ProposalsTensor, "rpn.count"));
        graph.Add(new GatherNode(ProposalScores, "rpn.all.scores", "rpn.keep", ProposalScores, "rpn.count"));
    }

    /// <summary>
    /// The box head and torchvision's postprocess_detections: MultiScaleRoIAlign 7x7 of the proposals
    /// on P2..P5, fc6/fc7 with ReLU, class logits `roi.box.logits` and class-specific deltas
    /// `roi.box.deltas` (one padded class of zero deltas so classes stay whole vec4 rows), softmax,
    /// per-class decode (10, 10, 5, 5) clipped to the resized image, score > 0.05 without the
    /// background, boxes under 1e-2 dropped, class-aware NMS 0.5, the best 100; boxes scaled back to
    /// input pixels as torchvision's resize_boxes (fp32 ratios input / resized). detectron2
    /// (roi_heads/fast_rcnn.py:fast_rcnn_inference_single_image, postprocessing.py:detector_postprocess):
    /// RoIAlignV2, background in the last column, class-specific deltas for the K foreground classes
    /// only, no minimum box size, and empty boxes dropped after the 100 (<see cref="Detectron2Rules.DropEmptyDetections"/>).
    /// </summary>
    private static void BoxHead(GraphBuilder graph, WeightPackage package, DetectorArchitecture arch, (string Name, (int H, int W) Size)[] pyramid,
        (int H, int W) resized, (int H, int W) image)
    {
        var (f, d, k) = (arch.FpnChannels, arch.BoxHeadDim, arch.Classes);
        var d2 = arch.Detectron2;
        var kp = ChannelsLast.Padded(k);
        var rows = ProposalsPerLevel;
        string[] levels = [.. pyramid.Take(4).Select(p => p.Name)];
        float[] scales = [1 / 4f, 1 / 8f, 1 / 16f, 1 / 32f];
        graph.Add(new RoiAlignNode("roi.box.features", levels, ProposalsTensor, "roi.box.features", scales, d2 ? RoiAlignOptions.Detectron2(7) : RoiAlignOptions.Torchvision(7), "rpn.count"));
        graph.Add(new RoiFullyConnectedNode("roi.box.fc1", "roi.box.features", "roi.box.fc1", () => package.Floats("roi.box.fc1.weight", d, f * 49),
            () => package.Floats("roi.box.fc1.bias", d), d, relu: true));
        graph.Add(new FullyConnectedNode("roi.box.fc2", "roi.box.fc1", "roi.box.fc2", () => package.Floats("roi.box.fc2.weight", d, d),
            () => package.Floats("roi.box.fc2.bias", d), d, relu: true));
        graph.Add(new FullyConnectedNode("roi.box.logits", "roi.box.fc2", "roi.box.logits", () => package.Floats("roi.box.cls.weight", k, d),
            () => package.Floats("roi.box.cls.bias", k), k));
        // detectron2 regresses the K foreground classes only (FastRCNNOutputLayers.bbox_pred 4K): the background column decodes zero deltas.
        var regressed = d2 ? k - 1 : k;
        graph.Add(new FullyConnectedNode("roi.box.deltas", "roi.box.fc2", "roi.box.deltas", () => PadRows(package.Floats("roi.box.deltas.weight", 4 * regressed, d), 4 * kp, d),
            () => PadRows(package.Floats("roi.box.deltas.bias", 4 * regressed), 4 * kp, 1), 4 * kp));
        graph.Add(new SoftmaxNode("roi.box.probs", "roi.box.logits", "roi.box.probs"));
        graph.Add(new ReshapeNode("roi.box.scores", "roi.box.probs", "roi.box.scores", new Shape(rows * kp)));
        graph.Add(new BoxDecodeNode("roi.box.decoded", ProposalsTensor, "roi.box.deltas", "roi.box.decoded", BoxWeights.RoiHeads, (resized.H, resized.W), kp, count: "rpn.count"));
        graph.Add(new ReshapeNode("roi.box.boxes", "roi.box.decoded", "roi.box.boxes", new Shape(rows * kp, 4)));
        graph.Add(new RowLabelsNode("roi.box.classes", "roi.box.classes", rows * kp, 1, kp));
        graph.Add(d2
            ? new ScoreFilterNode("roi.box.valid", "roi.box.scores", "roi.box.valid", "roi.box.valid.count", 0.05f, columns: kp, excludeColumn: k - 1, rowCount: "rpn.count")
            : new ScoreFilterNode("roi.box.valid", "roi.box.scores", "roi.box.valid", "roi.box.valid.count", 0.05f, columns: kp, excludeColumn: 0,
                boxes: "roi.box.boxes", minSize: 1e-2f, rowCount: "rpn.count"));
        // detectron2 filters the NMS survivors once more (Detectron2Rules.DropEmptyDetections), so they get names of their own.
        var (gathers, kept, scores, labels, count) = d2
            ? ("roi.box.nms", "roi.box.nms.boxes", "roi.box.nms.scores", "roi.box.nms.labels", "roi.box.nms.count")
            : ("roi.box.detections", KeptBoxes, Scores, Labels, Count);
        graph.Add(new NmsNode("roi.box.nms", "roi.box.boxes", "roi.box.scores", "roi.box.keep", count, 0.5f, MaxDetections,
            "roi.box.valid", "roi.box.valid.count", "roi.box.classes"));
        graph.Add(new GatherNode(kept, "roi.box.boxes", "roi.box.keep", kept, count));
        graph.Add(new GatherNode($"{gathers}.scores", "roi.box.scores", "roi.box.keep", scores, count));
        graph.Add(new GatherNode($"{gathers}.labels", "roi.box.classes", "roi.box.keep", labels, count));
        if (d2)
            Detectron2Rules.DropEmptyDetections(graph, MaxDetections);
        var (rh, rw) = ((float)image.H / resized.H, (float)image.W / resized.W);
        graph.Add(new ChannelAffineNode("roi.box.detections.boxes", KeptBoxes, Boxes, [rw, rh, rw, rh], new float[4]));
    }

    /// <summary>
    /// The mask head on the kept detections: RoIAlign 14x14, four 3x3 convs + ReLU, ConvTranspose2d
    /// 2x2/2 + ReLU, 1x1 logits, then each detection's predicted-class mask pasted (sigmoid, expand
    /// 30/28, bilinear) into an image of the input's size: `detections.masks` (100, H, W). detectron2
    /// (roi_heads/mask_head.py:mask_rcnn_inference, layers/mask_ops.py:paste_masks_in_image): RoIAlignV2,
    /// K foreground mask channels, its own paste; its binary masks are `detections.masks` >= 0.5.
    /// </summary>
    private static void MaskHead(GraphBuilder graph, WeightPackage package, DetectorArchitecture arch, (string Name, (int H, int W) Size)[] pyramid, (int H, int W) image)
    {
        var (f, m, k) = (arch.FpnChannels, arch.MaskHeadDim!.Value, arch.Detectron2 ? arch.Classes - 1 : arch.Classes);
        string[] levels = [.. pyramid.Take(4).Select(p => p.Name)];
        float[] scales = [1 / 4f, 1 / 8f, 1 / 16f, 1 / 32f];
        graph.Add(new RoiAlignNode("roi.mask.features", levels, KeptBoxes, "roi.mask.features", scales,
            arch.Detectron2 ? RoiAlignOptions.Detectron2(14) : RoiAlignOptions.Torchvision(14), Count));
        var x = "roi.mask.features";
        var channels = f;
        for (var i = 1; i <= 4; i++)
        {
            Conv(graph, package, $"roi.mask.conv{i}", x, $"roi.mask.conv{i}", channels, m, 3, 1, 1, (14, 14), null, relu: true);
            (x, channels) = ($"roi.mask.conv{i}", m);
        }
        graph.Add(new ConvTransposeNode("roi.mask.deconv", x, "roi.mask.deconv", new ConvTransposeSpec(m, m, (2, 2), (2, 2)),
            () => package.Floats("roi.mask.deconv.weight", m, m, 2, 2), () => package.Floats("roi.mask.deconv.bias", m), relu: true));
        Conv(graph, package, "roi.mask.logits", "roi.mask.deconv", "roi.mask.logits", m, k, 1, 1, 0, (28, 28), null, relu: false);
        graph.Add(new PasteMasksNode(PasteNode, "roi.mask.logits", Labels, Boxes, Masks, image.H, image.W, Count, arch.Detectron2));
    }

    /// <summary>A (rows, cols) matrix with zero rows appended up to <paramref name="padded"/> rows.</summary>
    private static float[] PadRows(float[] values, int padded, int cols)
    {
        var result = new float[(long)padded * cols];
        values.CopyTo(result, 0);
        return result;
    }

    /// <summary>Stem and four stages; returns the outputs of res2..res5 with their sizes.</summary>
    private static (string Name, (int H, int W) Size)[] Backbone(GraphBuilder graph, WeightPackage package, DetectorArchitecture arch, string input, (int H, int W) size)
    {
        var nonlocals = arch.Nonlocal.Select((spec, i) => (spec, options: package.Metadata.NonLocal[i]))
            .ToDictionary(x => (x.spec.Stage, x.spec.BeforeBlock), x => x.options);

        var stemOut = $"backbone.stem";
        size = Conv(graph, package, "backbone.stem.conv", input, stemOut + ".conv", 3, arch.StemWidth, 7, 2, 3, size, null, relu: true);
        graph.Add(new PoolNode("backbone.stem.pool", stemOut + ".conv", stemOut, PoolKind.Max, Size3.Planar(3, 3), Size3.Planar(2, 2), new Size3(0, 1, 1)));
        size = Half(size);
        var x = stemOut;
        var channels = arch.StemWidth;
        var outputs = new List<(string, (int, int))>();
        var firstNonLocal = true;
        for (var s = 2; s <= 5; s++)
        {
            var (inner, outWidth) = (arch.InnerWidth(s), arch.OutWidth(s));
            for (var k = 0; k < arch.StageBlocks[s - 2]; k++)
            {
                var block = $"backbone.res{s}.{k}";
                if (nonlocals.TryGetValue((s, k), out var options))
                {
                    var output = firstNonLocal ? NonLocalOutput : $"{block}.nonlocal";
                    graph.Add(new NonLocalNode(output, x, output, options, channels, n => package.Floats($"{block}.nonlocal.{n}")));
                    x = output;
                    firstNonLocal = false;
                }
                var stride = k == 0 && s > 2 ? 2 : 1;
                var residual = x;
                var blockSize = stride == 2 ? Half(size) : size;
                if (k == 0)
                {
                    Conv(graph, package, $"{block}.shortcut", x, $"{block}.shortcut", channels, outWidth, 1, stride, 0, size, null, relu: false);
                    residual = $"{block}.shortcut";
                }
                var (strideA, strideB) = arch.StrideIn1x1 ? (stride, 1) : (1, stride);
                var aSize = Conv(graph, package, $"{block}.a", x, $"{block}.a", channels, inner, 1, strideA, 0, size, null, relu: true);
                Conv(graph, package, $"{block}.b", $"{block}.a", $"{block}.b", inner, inner, 3, strideB, 1, aSize, null, relu: true);
                // conv c carries the residual add and the block's ReLU; its output is the block's.
                Conv(graph, package, $"{block}.c", $"{block}.b", block, inner, outWidth, 1, 1, 0, blockSize, residual, relu: true);
                (x, channels, size) = (block, outWidth, blockSize);
            }
            outputs.Add((x, size));
        }
        return [.. outputs];
    }

    /// <summary>
    /// torchvision's FeaturePyramidNetwork with LastLevelMaxPool: lateral 1x1 convs, top-down nearest
    /// upsampling to each lateral's exact size added in the lateral conv's epilogue, 3x3 outputs, and
    /// P6 = max-pool k1 s2 of P5. Returns P2..P6 with their sizes.
    /// </summary>
    private static (string Name, (int H, int W) Size)[] Fpn(GraphBuilder graph, WeightPackage package, DetectorArchitecture arch, (string Name, (int H, int W) Size)[] features)
    {
        var f = arch.FpnChannels;
        var levels = new (string, (int, int))[5];
        string? above = null;
        for (var level = 5; level >= 2; level--)
        {
            var (feature, size) = features[level - 2];
            var inner = $"fpn.inner{level}";
            string? topDown = null;
            if (above is not null)
            {
                topDown = $"fpn.topdown{level}";
                graph.Add(new ResizeNode(topDown, above, topDown, ResizeMode.Nearest, size));
            }
            Conv(graph, package, $"fpn.lateral{level}", feature, inner, arch.OutWidth(level), f, 1, 1, 0, size, topDown, relu: false);
            Conv(graph, package, $"fpn.output{level}", inner, $"fpn.p{level}", f, f, 3, 1, 1, size, null, relu: false);
            levels[level - 2] = ($"fpn.p{level}", size);
            above = inner;
        }
        var p5 = levels[3];
        graph.Add(new PoolNode("fpn.p6", p5.Item1, "fpn.p6", PoolKind.Max, Size3.Planar(1, 1), Size3.Planar(2, 2), Size3.Cube(0)));
        levels[4] = ("fpn.p6", Half(p5.Item2));
        return levels;
    }

    /// <summary>The RPN head on every level: shared 3x3 conv + ReLU, 1x1 objectness (A) and deltas (4A).</summary>
    private static void RpnHead(GraphBuilder graph, WeightPackage package, DetectorArchitecture arch, (string Name, (int H, int W) Size)[] pyramid)
    {
        var (f, a) = (arch.FpnChannels, arch.AnchorsPerLocation);
        for (var i = 0; i < pyramid.Length; i++)
        {
            var (feature, size) = pyramid[i];
            var level = Levels[i];
            Conv(graph, package, "rpn.conv", feature, $"rpn.conv.p{level}", f, f, 3, 1, 1, size, null, relu: true, name: $"rpn.conv.p{level}");
            Conv(graph, package, "rpn.objectness", $"rpn.conv.p{level}", $"rpn.objectness.p{level}", f, a, 1, 1, 0, size, null, relu: false, name: $"rpn.objectness.p{level}");
            Conv(graph, package, "rpn.deltas", $"rpn.conv.p{level}", $"rpn.deltas.p{level}", f, 4 * a, 1, 1, 0, size, null, relu: false, name: $"rpn.deltas.p{level}");
        }
    }

    /// <summary>A square 2D convolution whose weights are the package's `{weights}.weight`/`.bias`; returns its output size.</summary>
    internal static (int H, int W) Conv(GraphBuilder graph, WeightPackage package, string weights, string input, string output, int cin, int cout,
        int kernel, int stride, int padding, (int H, int W) inputSize, string? residual, bool relu, string? name = null)
    {
        var spec = new ConvSpec(cin, cout, Size3.Planar(kernel, kernel), Size3.Planar(stride, stride), new Size3(0, padding, padding));
        graph.Add(new ConvNode(name ?? weights, input, output, spec, () => package.Floats($"{weights}.weight", cout, cin, kernel, kernel),
            () => package.Floats($"{weights}.bias", cout), residual, relu));
        var o = spec.OutputSize(new Size3(1, inputSize.H, inputSize.W));
        return (o.H, o.W);
    }

    /// <summary>A 3x3 stride-2 pad-1 (or 1x1 stride-2) output size: every downsampling in a ResNet-FPN.</summary>
    private static (int H, int W) Half((int H, int W) size) => ((size.H - 1) / 2 + 1, (size.W - 1) / 2 + 1);
}
