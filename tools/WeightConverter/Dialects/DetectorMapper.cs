using System.Text.Json.Nodes;
using Engine;
using WeightConverter.Package;
using WeightConverter.Rules;

namespace WeightConverter.Dialects;

/// <summary>
/// Maps torchvision Mask/Faster/Keypoint R-CNN R50-FPN checkpoints (current and legacy key names) and detectron2
/// ones to the canonical detector names of docs/weight-package.md, folding the frozen BNs of the
/// backbone, and the mmcv-style non-local blocks inserted before a backbone block
/// (`backbone.body.layer{s-1}.{k}.nonlocal_block.*`, the paper's detector placement). The detector
/// network itself is built elsewhere (Engine.Models.Detection); this records what it needs to know.
/// A detectron2 checkpoint (DetectionCheckpointer's {"model": ...} or a model-zoo pickle) carries no
/// config: the settings its weights cannot tell are detectron2's config/defaults.py values, each
/// reported as an assumption (<see cref="Detectron2Defaults"/>).
/// </summary>
internal static class DetectorMapper
{
    private const double Epsilon = 1e-5;

    public static MappedModel Map(StateDict source, bool detectron2, ConvertOptions options, Derivation derivation)
    {
        var model = new MappedModel(detectron2 ? "detectron2" : "torchvision", source) { Derivation = detectron2 ? derivation : null };
        var folder = new ConvFolder(source, model, Epsilon);
        source.SkipTrainingState();
        foreach (var buffer in new[] { "pixel_mean", "pixel_std" })
        {
            if (source.Has(buffer))
                source.Skip(buffer, "input normalisation buffer, recorded as metadata");
        }
        string Pick(params string[] candidates) => candidates.FirstOrDefault(source.Has) ?? candidates[0];
        ConvKeys Plain(string prefix) => new(prefix + ".weight", prefix + ".bias");
        ConvKeys PlainOf(params string[] prefixes) => Plain(Pick(prefixes.Select(p => p + ".weight").ToArray())[..^".weight".Length]);

        var body = detectron2 ? "backbone.bottom_up." : "backbone.body.";
        var stem = detectron2 ? ConvKeys.Torch(body + "stem.conv1.weight", null, body + "stem.conv1.norm") : ConvKeys.Torch(body + "conv1.weight", null, body + "bn1");
        ConvKeys Conv(int s, int k, char u)
        {
            if (detectron2)
            {
                var m = $"{body}res{s}.{k}." + (u == 's' ? "shortcut" : $"conv{u - 'a' + 1}");
                return ConvKeys.Torch(m + ".weight", null, m + ".norm");
            }
            var p = $"{body}layer{s - 1}.{k}.";
            return u == 's' ? ConvKeys.Torch(p + "downsample.0.weight", null, p + "downsample.1") : ConvKeys.Torch(p + $"conv{u - 'a' + 1}.weight", null, p + $"bn{u - 'a' + 1}");
        }

        var width = source.ShapeOf(stem.Weight)?[0] ?? 64;
        folder.Emit("backbone.stem.conv", stem, [width, 3, 7, 7], true);
        var blocks = new int[4];
        var inChannels = width;
        var stageOut = new long[4];
        var nonLocal = new JsonArray();
        for (var s = 2; s <= 5; s++)
        {
            while (source.Has(Conv(s, blocks[s - 2], 'a').Weight))
                blocks[s - 2]++;
            if (blocks[s - 2] == 0)
                source.Take(Conv(s, 0, 'a').Weight);
            var inner = width << (s - 2);
            var outChannels = inner * 4;
            for (var k = 0; k < blocks[s - 2]; k++)
            {
                var blockIn = k == 0 ? inChannels : outChannels;
                var p = $"backbone.res{s}.{k}";
                if (FindNonLocal(source, detectron2 ? $"{body}res{s}.{k}" : $"{body}layer{s - 1}.{k}") is { } keys)
                    nonLocal.Add(MapNonLocal(source, folder, keys, options, p, s, k, blockIn));
                folder.Emit(p + ".a", Conv(s, k, 'a'), [inner, blockIn, 1, 1], true);
                folder.Emit(p + ".b", Conv(s, k, 'b'), [inner, inner, 3, 3], true);
                folder.Emit(p + ".c", Conv(s, k, 'c'), [outChannels, inner, 1, 1], true);
                if (k == 0)
                    folder.Emit(p + ".shortcut", Conv(s, k, 's'), [outChannels, blockIn, 1, 1], true);
            }
            stageOut[s - 2] = outChannels;
            inChannels = outChannels;
        }

        var lateral2 = detectron2 ? "backbone.fpn_lateral2" : Pick("backbone.fpn.inner_blocks.0.0.weight", "backbone.fpn.inner_blocks.0.weight")[..^".weight".Length];
        var fpn = source.ShapeOf(lateral2 + ".weight")?[0] ?? 256;
        for (var level = 2; level <= 5; level++)
        {
            var i = level - 2;
            var lateral = detectron2 ? Plain($"backbone.fpn_lateral{level}") : PlainOf($"backbone.fpn.inner_blocks.{i}.0", $"backbone.fpn.inner_blocks.{i}");
            var output = detectron2 ? Plain($"backbone.fpn_output{level}") : PlainOf($"backbone.fpn.layer_blocks.{i}.0", $"backbone.fpn.layer_blocks.{i}");
            folder.Emit($"fpn.lateral{level}", lateral, [fpn, stageOut[i], 1, 1], false);
            folder.Emit($"fpn.output{level}", output, [fpn, fpn, 3, 3], false);
        }

        var rpnObjectness = detectron2 ? "proposal_generator.rpn_head.objectness_logits" : "rpn.head.cls_logits";
        var anchors = source.ShapeOf(rpnObjectness + ".weight")?[0] ?? 3;
        folder.Emit("rpn.conv", detectron2 ? Plain("proposal_generator.rpn_head.conv") : PlainOf("rpn.head.conv.0.0", "rpn.head.conv"), [fpn, fpn, 3, 3], false);
        folder.Emit("rpn.objectness", Plain(rpnObjectness), [anchors, fpn, 1, 1], false);
        folder.Emit("rpn.deltas", Plain(detectron2 ? "proposal_generator.rpn_head.anchor_deltas" : "rpn.head.bbox_pred"), [4 * anchors, fpn, 1, 1], false);

        var fc1 = detectron2 ? "roi_heads.box_head.fc1" : "roi_heads.box_head.fc6";
        var boxDim = source.ShapeOf(fc1 + ".weight")?[0] ?? 1024;
        folder.Emit("roi.box.fc1", Plain(fc1), [boxDim, fpn * 49], false);
        folder.Emit("roi.box.fc2", Plain(detectron2 ? "roi_heads.box_head.fc2" : "roi_heads.box_head.fc7"), [boxDim, boxDim], false);
        var classes = source.ShapeOf("roi_heads.box_predictor.cls_score.weight")?[0] ?? -1;
        folder.Emit("roi.box.cls", Plain("roi_heads.box_predictor.cls_score"), [classes, boxDim], false);
        // torchvision predicts deltas for every class including background; detectron2 for the foreground classes only.
        folder.Emit("roi.box.deltas", Plain("roi_heads.box_predictor.bbox_pred"), [4 * (detectron2 ? classes - 1 : classes), boxDim], false);

        var hasMask = source.Has(detectron2 ? "roi_heads.mask_head.mask_fcn1.weight" : Pick("roi_heads.mask_head.0.0.weight", "roi_heads.mask_head.mask_fcn1.weight"));
        long maskDim = 0;
        if (hasMask)
        {
            var first = detectron2 ? "roi_heads.mask_head.mask_fcn1" : PlainOf("roi_heads.mask_head.0.0", "roi_heads.mask_head.mask_fcn1").Weight[..^".weight".Length];
            maskDim = source.ShapeOf(first + ".weight")?[0] ?? 256;
            var previous = fpn;
            for (var i = 1; i <= 4; i++)
            {
                var keys = detectron2 ? Plain($"roi_heads.mask_head.mask_fcn{i}") : PlainOf($"roi_heads.mask_head.{i - 1}.0", $"roi_heads.mask_head.mask_fcn{i}");
                folder.Emit($"roi.mask.conv{i}", keys, [maskDim, previous, 3, 3], false);
                previous = maskDim;
            }
            // ConvTranspose2d weights are (in, out, kh, kw), kept in that layout; in == out here, so the bias check holds.
            folder.Emit("roi.mask.deconv", Plain(detectron2 ? "roi_heads.mask_head.deconv" : "roi_heads.mask_predictor.conv5_mask"), [maskDim, maskDim, 2, 2], false);
            folder.Emit("roi.mask.logits", Plain(detectron2 ? "roi_heads.mask_head.predictor" : "roi_heads.mask_predictor.mask_fcn_logits"), [detectron2 ? classes - 1 : classes, maskDim, 1, 1], false);
        }
        var keypointHead = detectron2 ? null : KeypointMapper.Map(source, folder, model, fpn);
        model.Architecture = new JsonObject
        {
            ["kind"] = hasMask ? "maskrcnn-fpn" : keypointHead is not null ? "keypointrcnn-fpn" : "fasterrcnn-fpn",
            ["depth"] = 3 * blocks.Sum() + 2,
            ["stem_width"] = width,
            ["stage_blocks"] = new JsonArray(blocks.Select(b => (JsonNode)b).ToArray()),
            ["stride_in_1x1"] = detectron2 && Detectron2Defaults.StrideIn1x1(derivation),
            ["fpn_channels"] = fpn,
            ["anchors_per_location"] = anchors,
            ["box_head_dim"] = boxDim,
            ["classes"] = classes,
            ["background"] = detectron2 ? "last" : "first",
            ["mask_head_dim"] = hasMask ? maskDim : null,
            ["roi_align_aligned"] = detectron2,
            ["bn_epsilon"] = Epsilon,
            ["min_size"] = detectron2 ? Detectron2Defaults.MinSize(derivation, options) : options.MinSize ?? 800,
            ["max_size"] = detectron2 ? Detectron2Defaults.MaxSize(derivation, options) : options.MaxSize ?? 1333,
            ["nonlocal"] = nonLocal,
        };
        foreach (var (key, value) in keypointHead ?? [])
            model.Architecture[key] = value?.DeepClone();
        model.Normalization = detectron2 ? Detectron2Defaults.Normalization(derivation) : Rules.Normalizations.ImageNet01;
        return model;
    }

    /// <summary>The keys of an mmcv NonLocal2d attached to a block (`nonlocal_block` or `non_local_block`), or null when it has none.</summary>
    private static NonLocalKeys? FindNonLocal(StateDict source, string block)
    {
        foreach (var p in new[] { $"{block}.nonlocal_block", $"{block}.non_local_block" })
        {
            // mmcv wraps g and phi in Sequential(conv, max-pool) when subsampling, hence the ".0".
            var sub = source.Has($"{p}.g.0.conv.weight") ? ".0" : "";
            if (!source.Has($"{p}.g{sub}.conv.weight"))
                continue;
            return new(new($"{p}.theta.conv.weight", $"{p}.theta.conv.bias"), new($"{p}.phi{sub}.conv.weight", $"{p}.phi{sub}.conv.bias"),
                new($"{p}.g{sub}.conv.weight", $"{p}.g{sub}.conv.bias"), ConvKeys.Torch($"{p}.conv_out.conv.weight", $"{p}.conv_out.conv.bias", $"{p}.conv_out.bn"), null);
        }
        return null;
    }

    /// <summary>
    /// One non-local block running before block <paramref name="block"/> of stage <paramref name="stage"/>
    /// on <paramref name="channels"/> channels: embedded Gaussian (or dot product, by option) with mmcv's
    /// default scale, conv-then-pool 2x2 when g is subsampled, its output BN folded into the out conv.
    /// </summary>
    private static JsonObject MapNonLocal(StateDict source, ConvFolder folder, NonLocalKeys keys, ConvertOptions options, string prefix, int stage, int block, long channels)
    {
        var inner = source.ShapeOf(keys.G.Weight)![0];
        var subsample = keys.G.Weight.Contains(".g.0.", StringComparison.Ordinal);
        var instantiation = options.Instantiation ?? "embedded_gaussian";
        if (instantiation is not ("embedded_gaussian" or "dot_product"))
            throw new EngineException($"--nonlocal '{instantiation}': a detector's non-local block is embedded_gaussian or dot_product.");
        long[] embed = [inner, channels, 1, 1];
        var p = prefix + ".nonlocal";
        folder.Emit(p + ".theta", keys.Theta, embed, false);
        folder.Emit(p + ".phi", keys.Phi, embed, false);
        folder.Emit(p + ".g", keys.G, embed, false);
        var output = folder.Emit(p + ".out", keys.Out, [channels, inner, 1, 1], false) ?? "none";
        return new JsonObject
        {
            ["stage"] = stage,
            ["before_block"] = block,
            ["instantiation"] = instantiation,
            ["scale"] = instantiation == "embedded_gaussian" && (options.UseScale ?? true),
            ["inner"] = inner,
            ["subsample"] = subsample ? "conv_then_pool" : "none",
            ["pool"] = new JsonArray(1, 2, 2),
            ["mode"] = "spacetime",
            ["group"] = 0,
            ["output"] = output,
        };
    }
}
