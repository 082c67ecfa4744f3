using System.Text.Json.Nodes;
using Engine;
using WeightConverter.Dialects;

namespace WeightConverter.Rules;

/// <summary>
/// mmaction2 (open-mmlab/mmaction2) ResNet3d backbones with mmcv non-local blocks and an I3D head. Every
/// mmaction2 checkpoint carries its whole config as Python literal text (1.x `meta.cfg`, 0.x
/// `meta.config`); a key it leaves out takes ResNet3d's (or mmcv NonLocal3d's) signature default. A file
/// without a config is converted with the released I3D NL config's values, each said as a warning.
/// </summary>
internal static class MmactionRules
{
    private const string Backbone = "mmaction/models/backbones/resnet3d.py ResNet3d.__init__";
    private const string NonLocal = "mmcv/cnn/bricks/non_local.py _NonLocalNd.__init__, NonLocal3d";
    private const string Released = "configs/_base_/models/i3d_r50.py and configs/recognition/i3d/*nl*";

    public static VideoChoices Derive(VideoWeights weights, FileConfig? cfg, ConvertOptions options, Derivation d)
    {
        // What a key left out of the config means: the signature default, or (no config at all) the released I3D NL value.
        Choice<T> Otherwise<T>(string key, T signatureDefault, T released) => cfg is null
            ? Choice.Default(released, $"the checkpoint carries no config; {Released} ({key})")
            : Choice.Rule(signatureDefault, $"{Backbone} default {key}");
        const string b = "model.backbone.";
        if (cfg?.String(b + "type") is { Value: not "ResNet3d" } type)
            throw d.Refuse(type.Detail, $"'{type.Value}' is not a backbone this engine builds (ResNet3d).");
        // ResNet3d.__init__: stage_blocks, when given, overrides arch_settings[depth].
        if (cfg?.Ints(b + "stage_blocks") is { } stageBlocks)
        {
            if (!stageBlocks.Value.SequenceEqual(weights.StageBlocks))
                throw d.Refuse(stageBlocks.Detail, $"says {Derivation.Text(stageBlocks.Value)}, but the weights have blocks {Derivation.Text(weights.StageBlocks)}.");
        }
        else if (cfg?.Int(b + "depth") is { } depth && depth.Value != weights.Depth)
            throw d.Refuse(depth.Detail, $"says {depth.Value}, but the weights have blocks {Derivation.Text(weights.StageBlocks)} (depth {weights.Depth}).");
        if (cfg?.Ints(b + "dilations") is { } dilations && dilations.Value.Any(v => v != 1))
            throw d.Refuse(dilations.Detail, "dilated convolutions are not built by this engine.");
        // The stem's kernel is in its weights; a config that states another (or leaves ResNet3d's (3, 7, 7) default) contradicts them.
        if (cfg is not null)
        {
            var kernel = d.Decide("stem.kernel", cfg.Ints(b + "conv1_kernel"), null, Choice.Rule(new[] { 3, 7, 7 }, $"{Backbone} default conv1_kernel"));
            if (kernel.Length != 3 || kernel[0] != weights.StemTemporalKernel)
                throw d.Refuse(cfg.Detail(b + "conv1_kernel"), $"{Derivation.Text(kernel)} disagrees with the stem weights' temporal size {weights.StemTemporalKernel}.");
        }
        var strideS = d.Decide("stem.stride_s", cfg?.Int(b + "conv1_stride_s"), null, Otherwise("conv1_stride_s", 2, 2));
        var strideT = d.Decide("stem.stride_t", cfg?.Int(b + "conv1_stride_t"), null, Otherwise("conv1_stride_t", 1, 2));
        var withPool1 = d.Decide("stem.pool", cfg?.Bool(b + "with_pool1"), null, Otherwise("with_pool1", true, true));
        var poolS = d.Decide("stem.pool.stride_s", cfg?.Int(b + "pool1_stride_s"), null, Otherwise("pool1_stride_s", 2, 2));
        var poolT = d.Decide("stem.pool.stride_t", cfg?.Int(b + "pool1_stride_t"), null, Otherwise("pool1_stride_t", 1, 2));
        var withPool2 = d.Decide("pool_after_res2", cfg?.Bool(b + "with_pool2"), null, Otherwise("with_pool2", true, true));
        var style = d.Decide("style", cfg?.String(b + "style"), null, Otherwise("style", "pytorch", "pytorch"));
        if (style is not ("pytorch" or "caffe"))
            throw d.Refuse(cfg?.Detail(b + "style") ?? "style", $"'{style}' is neither pytorch nor caffe.");
        var inflateStyle = d.Decide("inflate_style", cfg?.String(b + "inflate_style"), null, Otherwise("inflate_style", "3x1x1", "3x1x1"));
        var weightsStyle = weights.TemporalB.Any(stage => stage.Any(kt => kt > 1)) ? "3x3x3" : weights.TemporalA.Any(stage => stage.Any(kt => kt > 1)) ? "3x1x1" : null;
        if (inflateStyle is not ("3x1x1" or "3x3x3") || (weightsStyle is not null && weightsStyle != inflateStyle))
            throw d.Refuse(cfg?.Detail(b + "inflate_style") ?? "inflate_style", $"'{inflateStyle}' disagrees with the weights, whose temporal kernels are {(weightsStyle == "3x3x3" ? "on conv2 (3x3x3)" : "on conv1 (3x1x1)")}.");
        var spatial = d.Decide("spatial_strides", cfg?.Ints(b + "spatial_strides"), null, Otherwise("spatial_strides", new[] { 1, 2, 2, 2 }, [1, 2, 2, 2]));
        var temporal = d.Decide("temporal_strides", cfg?.Ints(b + "temporal_strides"), null, Otherwise("temporal_strides", new[] { 1, 1, 1, 1 }, [1, 1, 1, 1]));
        CheckPlacement(d, cfg, weights);

        // mmcv _NonLocalNd: mode 'embedded_gaussian' and use_scale True by default; NonLocal3d: sub_sample False.
        const string n = b + "non_local_cfg.";
        Choice<T> NonLocalDefault<T>(string key, T signatureDefault, T released) => cfg is null
            ? Choice.Default(released, $"the checkpoint carries no config; {Released} (non_local_cfg.{key})")
            : Choice.Rule(signatureDefault, $"{NonLocal} default {key}");
        var instantiation = weights.NonLocal.Count == 0 ? "none" : NonLocalRules.Instantiation(d, weights, cfg?.String(n + "mode"), Choice.Flag(options.Instantiation, "--nonlocal-mode"),
            NonLocalDefault("mode", "embedded_gaussian", "embedded_gaussian"));
        var scale = weights.NonLocal.Count == 0 ? false : d.Decide("nonlocal.scale", cfg?.Bool(n + "use_scale"), Choice.Flag(options.UseScale, "--use-scale"), NonLocalDefault("use_scale", true, false));
        // mmcv wraps g and phi in Sequential(conv, MaxPool3d((1, 2, 2))) when sub_sampling, hence the `.0.` in their keys.
        var wrapped = weights.NonLocal.Any(s => s.Keys.G.Weight.Contains(".g.0.", StringComparison.Ordinal));
        var subSample = weights.NonLocal.Count == 0 ? false : d.Decide("nonlocal.sub_sample", cfg?.Bool(n + "sub_sample"), null, Choice.Weights(wrapped, wrapped ? "g and phi keys inside a Sequential (.g.0.)" : "g and phi keys without a Sequential"));
        if (weights.NonLocal.Count > 0 && subSample != wrapped)
            throw d.Refuse(cfg?.Detail(n + "sub_sample") ?? "sub_sample", $"{Derivation.Text(subSample)} disagrees with the weights' key layout ({(wrapped ? "g.0" : "g")}).");
        var nonLocal = Enumerable.Repeat(new NonLocalChoice(instantiation, scale, subSample ? "conv_then_pool" : "none", [1, 2, 2], options.Group ?? 0), 4).ToArray();

        RequireHead(d, cfg);
        var (frames, rate, shortSide, crop) = Clip(d, cfg, options);
        return new VideoChoices
        {
            Dialect = "mmaction2",
            Epsilon = d.Record("bn_epsilon", Choice.Rule(1e-5, "mmcv build_norm_layer BN3d: torch.nn.BatchNorm3d eps 1e-5")),
            StemStride = [strideT, strideS, strideS],
            // _make_stem_layer: MaxPool3d(kernel (1, 3, 3), stride (pool1_stride_t, pool1_stride_s, pool1_stride_s), padding (0, 1, 1)).
            StemPool = withPool1 ? new PoolChoice([1, 3, 3], [poolT, poolS, poolS], [0, 1, 1]) : null,
            // _make_stem_layer: pool2 = MaxPool3d((2, 1, 1), (2, 1, 1)), applied after layer1 (forward).
            PoolAfterRes2 = withPool2 ? new PoolChoice([2, 1, 1], [2, 1, 1], [0, 0, 0]) : null,
            // Bottleneck3d: style 'pytorch' puts the strides on conv2, 'caffe' on conv1.
            StrideOn = style == "pytorch" ? "b" : "a",
            SpatialStrides = spatial,
            TemporalStrides = temporal,
            HeadKind = "global_avg_fc",
            NonLocal = nonLocal,
            Normalization = Normalization(d, cfg),
            Frames = frames,
            SamplingRate = rate,
            ShortSide = shortSide,
            Crop = crop,
        };
    }

    /// <summary>`non_local` gives per stage a 0/1 per block (or one value for all); the weights must have exactly those blocks.</summary>
    private static void CheckPlacement(Derivation d, FileConfig? cfg, VideoWeights weights)
    {
        const string key = "model.backbone.non_local";
        var node = cfg?.Node(key);
        var found = weights.NonLocal.Select(s => (s.Stage, s.Block)).ToHashSet();
        if (node is null)
        {
            if (cfg is not null && found.Count > 0)
                throw d.Refuse(cfg.Detail(key), "is absent (no non-local blocks, ResNet3d's default), but the weights have non-local blocks.");
            return;
        }
        var stated = new HashSet<(int, int)>();
        if (node is not JsonArray stages || stages.Count != 4)
            throw cfg!.Wrong(key, "four per-stage entries");
        for (var s = 0; s < 4; s++)
        {
            var flags = stages[s] is JsonArray per ? per.Select(v => cfg!.ToInt(v, key)).ToArray() : Enumerable.Repeat(cfg!.ToInt(stages[s], key), weights.StageBlocks[s]).ToArray();
            for (var k = 0; k < flags.Length; k++)
            {
                if (flags[k] != 0)
                    stated.Add((s + 2, k));
            }
        }
        if (!stated.SetEquals(found))
            throw d.Refuse(cfg!.Detail(key), $"places non-local blocks at {Places(stated)}, but the weights have them at {Places(found)}.");
        d.Record("nonlocal.placement", Choice.File(Places(found), cfg!.Detail(key)));
    }

    private static string Places(IEnumerable<(int Stage, int Block)> places) =>
        places.Any() ? string.Join(", ", places.OrderBy(p => p).Select(p => $"res{p.Stage}.{p.Block}")) : "none";

    /// <summary>The engine's head is I3DHead's: global average, FC, softmax ('prob' averaging).</summary>
    private static void RequireHead(Derivation d, FileConfig? cfg)
    {
        if (cfg?.String("model.cls_head.type") is { Value: not "I3DHead" } head)
            throw d.Refuse(head.Detail, $"'{head.Value}' is not a head this engine builds (I3DHead: global average pool, FC).");
        if (cfg?.String("model.cls_head.spatial_type") is { Value: not "avg" } spatial)
            throw d.Refuse(spatial.Detail, $"'{spatial.Value}' pooling is not built by this engine (avg).");
        d.Record("head", cfg is null
            ? Choice.Default("global_avg_fc", $"the checkpoint carries no config; {Released} (I3DHead)")
            : Choice.File("global_avg_fc", $"{cfg.Label} model.cls_head (I3DHead: AdaptiveAvgPool3d, fc_cls)"));
    }

    /// <summary>1.x: model.data_preprocessor mean/std; 0.x: img_norm_cfg (or the pipeline's Normalize), to_bgr.</summary>
    private static JsonObject Normalization(Derivation d, FileConfig? cfg)
    {
        Choice<JsonObject>? file = null;
        foreach (var prefix in new[] { "model.data_preprocessor", "img_norm_cfg" })
        {
            if (cfg?.Doubles(prefix + ".mean") is { } mean && cfg.Doubles(prefix + ".std") is { } std)
            {
                var bgr = cfg.Bool(prefix + ".to_bgr") is { Value: true };
                file = Choice.File(Normalizations.Make(bgr ? "bgr" : "rgb", 255, mean.Value, std.Value), $"{cfg.Label} {prefix}.mean, .std");
                break;
            }
        }
        return d.Decide("normalization", file, null, Choice.Default(Normalizations.ImageNet255, cfg is null
            ? $"the checkpoint carries no config; {Released} (ImageNet mean/std on 0..255)"
            : "the config names no mean/std; ImageNet mean/std on 0..255 as in every mmaction2 RGB config"));
    }

    /// <summary>Clip geometry from the validation (else test) pipeline: SampleFrames, Resize, CenterCrop/ThreeCrop.</summary>
    private static (int Frames, int Rate, int ShortSide, int Crop) Clip(Derivation d, FileConfig? cfg, ConvertOptions options)
    {
        JsonObject? Step(string type)
        {
            foreach (var pipeline in new[] { "val_pipeline", "test_pipeline", "val_dataloader.dataset.pipeline", "test_dataloader.dataset.pipeline", "data.val.pipeline", "data.test.pipeline" })
            {
                if (cfg?.Node(pipeline) is JsonArray steps && steps.OfType<JsonObject>().FirstOrDefault(s => s["type"]?.GetValue<string>() == type) is { } step)
                    return step;
            }
            return null;
        }
        Choice<int>? FromStep(string type, string field, Func<JsonNode, int?> read)
        {
            var step = Step(type);
            return step?[field] is { } v && read(v) is { } value ? Choice.File(value, $"{cfg!.Label} pipeline {type}.{field}") : null;
        }
        static int? Int(JsonNode n) => n is JsonValue v && v.TryGetValue<long>(out var l) ? (int)l : null;
        var none = cfg is null ? "the checkpoint carries no config" : "the config's pipelines do not say";
        var frames = d.Decide("clip.frames", FromStep("SampleFrames", "clip_len", Int), Choice.Flag(options.Frames, "--frames"), Choice.Default(32, $"{none}; the released I3D configs sample 32x2x1"));
        var rate = d.Decide("clip.sampling_rate", FromStep("SampleFrames", "frame_interval", Int), Choice.Flag(options.SamplingRate, "--sampling-rate"), Choice.Default(2, $"{none}; the released I3D configs sample 32x2x1"));
        // Resize scale=(-1, 256): the short side.
        var shortSide = d.Decide("clip.short_side", FromStep("Resize", "scale", n => n is JsonArray { Count: 2 } a && Int(a[0]!) == -1 ? Int(a[1]!) : null), Choice.Flag(options.ShortSide, "--short-side"), Choice.Default(256, $"{none}; Resize scale=(-1, 256)"));
        var crop = d.Decide("clip.crop", FromStep("CenterCrop", "crop_size", Int) ?? FromStep("ThreeCrop", "crop_size", Int), Choice.Flag(options.Crop, "--crop"), Choice.Default(224, $"{none}; CenterCrop crop_size=224"));
        if (crop < 1 || crop > shortSide)
            throw new EngineException($"{d.Path}: crop {crop} must be positive and fit in the short side {shortSide}.");
        return (frames, rate, shortSide, crop);
    }
}
