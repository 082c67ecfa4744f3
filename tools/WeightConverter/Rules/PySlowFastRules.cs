using System.Text.Json.Nodes;
using Engine;
using WeightConverter.Dialects;

namespace WeightConverter.Rules;

/// <summary>
/// PySlowFast (facebookresearch/SlowFast) C2D, I3D and Slow ResNets with non-local blocks. A `.pyth` carries
/// the run's whole configuration as YAML (`cfg`, written by slowfast/utils/checkpoint.py save_checkpoint);
/// every setting it states wins. Where a file has no `cfg` (a Caffe2 pickle converted as PySlowFast), the
/// values of slowfast/config/defaults.py are assumed and said.
/// </summary>
internal static class PySlowFastRules
{
    private const string Builder = "slowfast/models/video_model_builder.py ResNet._construct_network";
    private const string Defaults = "slowfast/config/defaults.py";

    // video_model_builder.py _POOL1: the max-pool after res2, per MODEL.ARCH.
    private static readonly Dictionary<string, int[]> _pool1 = new()
    {
        ["2d"] = [1, 1, 1],
        ["c2d"] = [2, 1, 1],
        ["slow_c2d"] = [1, 1, 1],
        ["i3d"] = [2, 1, 1],
        ["slow_i3d"] = [1, 1, 1],
        ["slow"] = [1, 1, 1],
    };

    public static VideoChoices Derive(VideoWeights weights, FileConfig? cfg, ConvertOptions options, Derivation d)
    {
        string Missing(string key) => cfg is null ? "the checkpoint has no cfg" : $"cfg has no {key}";
        var arch = d.Decide("model.arch", cfg?.String("MODEL.ARCH"), null,
            Choice.Default(weights.StemTemporalKernel > 1 ? "i3d" : "c2d", $"{Missing("MODEL.ARCH")}; guessed from the stem's temporal kernel {weights.StemTemporalKernel}"));
        if (!_pool1.TryGetValue(arch, out var pool1))
            throw Refuse(d, cfg, "MODEL.ARCH", $"'{arch}' is not a single-pathway ResNet this engine builds ({string.Join(", ", _pool1.Keys)})");
        if (cfg?.Int("RESNET.DEPTH") is { } depth && depth.Value != weights.Depth)
            throw Refuse(d, cfg, "RESNET.DEPTH", $"says {depth.Value}, but the weights have blocks [{string.Join(", ", weights.StageBlocks)}] (depth {weights.Depth})");
        RequireValue(d, cfg, "RESNET.TRANS_FUNC", "bottleneck_transform");
        RequireValue(d, cfg, "MODEL.HEAD_ACT", "softmax");
        if (cfg?.Int("RESNET.NUM_GROUPS") is { Value: not 1 } groups)
            throw Refuse(d, cfg, "RESNET.NUM_GROUPS", $"{groups.Value}: grouped convolutions are not built by this engine");
        if (cfg?.Node("RESNET.SPATIAL_DILATIONS") is { } dilations && Flatten(cfg, "RESNET.SPATIAL_DILATIONS", dilations).Any(v => v != 1))
            throw Refuse(d, cfg, "RESNET.SPATIAL_DILATIONS", "dilated convolutions are not built by this engine");

        var strideOn = d.Decide("stride_on", cfg?.Bool("RESNET.STRIDE_1X1") is { } s1 ? Choice.File(s1.Value ? "a" : "b", s1.Detail) : null, null,
            Choice.Rule("b", $"{Defaults} RESNET.STRIDE_1X1 = False; resnet_helper.py BottleneckTransform puts the stride on the 3x3 conv"));
        var spatial = d.Decide("spatial_strides", StageInts(cfg, "RESNET.SPATIAL_STRIDES"), null, Choice.Rule(new[] { 1, 2, 2, 2 }, $"{Defaults} RESNET.SPATIAL_STRIDES"));
        var frames = d.Decide("clip.frames", cfg?.Int("DATA.NUM_FRAMES"), Choice.Flag(options.Frames, "--frames"), Choice.Default(8, $"{Missing("DATA.NUM_FRAMES")}; {Defaults} DATA.NUM_FRAMES"));
        var rate = d.Decide("clip.sampling_rate", cfg?.Int("DATA.SAMPLING_RATE"), Choice.Flag(options.SamplingRate, "--sampling-rate"), Choice.Default(8, $"{Missing("DATA.SAMPLING_RATE")}; {Defaults} DATA.SAMPLING_RATE"));
        var trainCrop = d.Decide("train_crop", cfg?.Int("DATA.TRAIN_CROP_SIZE"), null, Choice.Default(224, $"{Missing("DATA.TRAIN_CROP_SIZE")}; {Defaults}"));
        // The test loader resizes the short side to TEST_CROP_SIZE and crops TEST_CROP_SIZE (fully-convolutional testing).
        var testCrop = d.Decide("clip.crop", cfg?.Int("DATA.TEST_CROP_SIZE"), Choice.Flag(options.Crop, "--crop"), Choice.Default(256, $"{Missing("DATA.TEST_CROP_SIZE")}; {Defaults}"));
        var shortSide = d.Decide("clip.short_side", null, Choice.Flag(options.ShortSide, "--short-side"), Choice.Rule(testCrop, "slowfast/datasets/kinetics.py: test clips are scaled so the short side is TEST_CROP_SIZE"));

        // ResNet._construct_network: head pool_size [NUM_FRAMES // pool1[0], TRAIN_CROP_SIZE // 32 // pool1[1], ... // pool1[2]],
        // or AdaptiveAvgPool3d(1) under MULTIGRID.SHORT_CYCLE; head_helper.py ResNetBasicHead applies softmax per position, then the mean.
        var adaptive = cfg?.Bool("MULTIGRID.SHORT_CYCLE") is { Value: true };
        var headPool = adaptive ? null : d.Record("head.pool", Choice.Rule(new[] { frames / pool1[0], trainCrop / 32 / pool1[1], trainCrop / 32 / pool1[2] }, $"{Builder}: head pool_size from DATA.NUM_FRAMES and DATA.TRAIN_CROP_SIZE"));

        var instantiationChoice = cfg?.String("NONLOCAL.INSTANTIATION") is { } inst
            ? Choice.File(inst.Value switch { "softmax" => "embedded_gaussian", "dot_product" => "dot_product", _ => throw Refuse(d, cfg, "NONLOCAL.INSTANTIATION", $"'{inst.Value}' is not a PySlowFast non-local instantiation this engine has (softmax, dot_product)") }, inst.Detail)
            : (Choice<string>?)null;
        var instantiation = weights.NonLocal.Count == 0 ? "none" : NonLocalRules.Instantiation(d, weights, instantiationChoice, Choice.Flag(options.Instantiation, "--nonlocal-mode"),
            Choice.Default("dot_product", $"{Missing("NONLOCAL.INSTANTIATION")}; {Defaults} NONLOCAL.INSTANTIATION = \"dot_product\""));
        CheckLocations(d, cfg, weights);
        var stageFrames = Enumerable.Range(0, 4).Select(s => s == 0 ? frames : frames / pool1[0]).ToArray();
        var nonLocal = new NonLocalChoice[4];
        for (var s = 0; s < 4; s++)
        {
            var pool = cfg?.Node("NONLOCAL.POOL") is JsonArray pools && s < pools.Count && pools[s] is JsonArray p && p.Count > 0 && p[0] is JsonArray first
                ? first.Select(v => cfg.ToInt(v, "NONLOCAL.POOL")).ToArray() : [1, 2, 2];
            // nonlocal_helper.py Nonlocal: use_pool unless every pool size is 1; pool x, then phi and g.
            var subsample = pool.Any(v => v > 1) ? "pool_then_conv" : "none";
            // resnet_helper.py ResStage.forward: NONLOCAL.GROUP folds time into G groups of T // G frames.
            var groupCount = cfg?.Node("NONLOCAL.GROUP") is JsonArray g && s < g.Count && g[s] is JsonArray gs && gs.Count > 0 ? cfg.ToInt(gs[0], "NONLOCAL.GROUP") : 1;
            var group = groupCount > 1 ? stageFrames[s] / groupCount : options.Group ?? 0;
            nonLocal[s] = new NonLocalChoice(instantiation, true, subsample, pool, group);
        }
        foreach (var stage in weights.NonLocal.Select(n => n.Stage).Distinct())
        {
            var c = nonLocal[stage - 2];
            d.Record($"nonlocal res{stage}", Choice.Rule($"subsample {c.Subsample} pool {Derivation.Text(c.Pool)} group {c.Group}", $"{Defaults} NONLOCAL.POOL, NONLOCAL.GROUP (cfg values where present); nonlocal_helper.py Nonlocal"));
        }

        var mean = cfg?.Doubles("DATA.MEAN");
        var std = cfg?.Doubles("DATA.STD");
        var bgr = cfg?.Bool("DATA.REVERSE_INPUT_CHANNEL") is { Value: true };
        var normalization = d.Decide("normalization",
            mean is { } m && std is { } sd ? Choice.File(Normalizations.Make(bgr ? "bgr" : "rgb", 1, m.Value, sd.Value), "cfg DATA.MEAN, DATA.STD, DATA.REVERSE_INPUT_CHANNEL") : null, null,
            Choice.Default(Normalizations.Make("rgb", 1, [0.45, 0.45, 0.45], [0.225, 0.225, 0.225]), $"{Missing("DATA.MEAN")}; {Defaults} DATA.MEAN, DATA.STD"));
        return new VideoChoices
        {
            Dialect = "pyslowfast",
            Epsilon = d.Record("bn_epsilon", Choice.Rule(1e-5, "slowfast/models/stem_helper.py, resnet_helper.py, nonlocal_helper.py: eps=1e-5")),
            StemStride = d.Record("stem.stride", Choice.Rule(new[] { 1, 2, 2 }, $"{Builder}: VideoModelStem stride [1, 2, 2]")),
            StemPool = d.Record("stem.pool", Choice.Rule(new PoolChoice([1, 3, 3], [1, 2, 2], [0, 1, 1]), "slowfast/models/stem_helper.py ResNetBasicStem pool_layer")),
            PoolAfterRes2 = pool1.Any(v => v > 1) ? d.Record("pool_after_res2", Choice.Rule(new PoolChoice(pool1, pool1, [0, 0, 0]), $"{Builder}: pathway0_pool = _POOL1['{arch}']")) : null,
            StrideOn = strideOn,
            SpatialStrides = spatial,
            HeadKind = adaptive ? "global_avg_fc" : "fully_conv",
            HeadPool = headPool,
            NonLocal = nonLocal,
            Normalization = normalization,
            Frames = frames,
            SamplingRate = rate,
            ShortSide = shortSide,
            Crop = testCrop,
        };
    }

    /// <summary>NONLOCAL.LOCATION [stage][pathway] lists the blocks followed by a non-local block; the weights must agree.</summary>
    private static void CheckLocations(Derivation d, FileConfig? cfg, VideoWeights weights)
    {
        if (cfg?.Node("NONLOCAL.LOCATION") is not JsonArray stages)
            return;
        var stated = new HashSet<(int, int)>();
        for (var s = 0; s < stages.Count && s < 4; s++)
        {
            if (stages[s] is JsonArray pathways && pathways.Count > 0 && pathways[0] is JsonArray blocks)
            {
                foreach (var b in blocks)
                    stated.Add((s + 2, cfg.ToInt(b, "NONLOCAL.LOCATION")));
            }
        }
        var found = weights.NonLocal.Select(n => (n.Stage, n.Block)).ToHashSet();
        if (!stated.SetEquals(found))
            throw Refuse(d, cfg, "NONLOCAL.LOCATION", $"places non-local blocks at {Places(stated)}, but the weights have them at {Places(found)}");
        d.Record("nonlocal.placement", Choice.File(Places(found), "cfg NONLOCAL.LOCATION"));
    }

    private static string Places(IEnumerable<(int Stage, int Block)> places) =>
        places.Any() ? string.Join(", ", places.OrderBy(p => p).Select(p => $"res{p.Stage}.{p.Block}")) : "none";

    private static Choice<int[]>? StageInts(FileConfig? cfg, string key) =>
        cfg?.Node(key) is JsonArray stages ? Choice.File(stages.Select(s => Flatten(cfg, key, s).First()).ToArray(), cfg.Detail(key)) : null;

    private static IEnumerable<int> Flatten(FileConfig cfg, string key, JsonNode? node) => node is JsonArray a ? a.SelectMany(n => Flatten(cfg, key, n)) : [cfg.ToInt(node, key)];

    private static void RequireValue(Derivation d, FileConfig? cfg, string key, string supported)
    {
        if (cfg?.String(key) is { } v && v.Value != supported)
            throw Refuse(d, cfg, key, $"'{v.Value}' is not built by this engine (only {supported})");
    }

    private static EngineException Refuse(Derivation d, FileConfig? cfg, string key, string problem) => d.Refuse(cfg?.Detail(key) ?? key, problem + ".");
}
