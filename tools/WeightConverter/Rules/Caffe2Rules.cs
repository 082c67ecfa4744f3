using Engine;
using WeightConverter.Dialects;

namespace WeightConverter.Rules;

/// <summary>
/// video-nonlocal-net (Caffe2 pickles). The pickle holds blobs only, so every rule comes from the
/// family's code (facebookresearch/video-nonlocal-net) or a flag: which of its two model builders made
/// the file, and the clip length, cannot be read from it.
/// </summary>
internal static class Caffe2Rules
{
    public const string Video = "resnet_video";
    public const string Original = "resnet_video_org";

    private const string Config = "lib/core/config.py";

    public static VideoChoices Derive(VideoWeights weights, ConvertOptions options, Derivation d)
    {
        var builder = d.Decide("builder", null, Choice.Flag(options.Builder, "--builder"), Choice.Default(Video,
            $"a Caffe2 pickle does not record its model builder; {Video} made the 8-frame releases, {Original} (--builder {Original}) the 32- and 128-frame ones"));
        if (builder is not (Video or Original))
            throw new EngineException($"--builder '{builder}': expected {Video} or {Original}.");
        var org = builder == Original;
        var source = $"lib/models/{builder}.py";

        // obtain_arc: temp_strides_1 = [1] in resnet_video, [2] in resnet_video_org, for every architecture.
        var stemStride = d.Record("stem.stride", Choice.Rule(new[] { org ? 2 : 1, 2, 2 }, $"{source} obtain_arc temp_strides_1, create_model conv1 strides"));
        // create_model: MaxPool 'pool1' kernels [1,3,3] strides [1,2,2] (resnet_video_org: [2,3,3], [2,2,2]), pads 0.
        var stemPool = d.Record("stem.pool", Choice.Rule(
            new PoolChoice([org ? 2 : 1, 3, 3], [org ? 2 : 1, 2, 2], [0, 0, 0]), $"{source} create_model pool1"));
        // create_model: MaxPool 'pool2' kernels [2,1,1] strides [2,1,1] after res2.
        var pool2 = d.Record("pool_after_res2", Choice.Rule(new PoolChoice([2, 1, 1], [2, 1, 1], [0, 0, 0]), $"{source} create_model pool2"));
        // create_model: AveragePool 'pool5' kernels [pool_stride, 7, 7] strides 1, pool_stride = VIDEO_LENGTH/2 (/8 in
        // resnet_video_org) = res5's whole time extent; the test split applies 'pred' as a 1x1x1 conv, softmax per position, mean.
        var headPool = d.Record("head.pool", Choice.Rule(new[] { -1, 7, 7 }, $"{source} create_model pool5 (time kernel = res5's frames), test split: softmax per position, mean"));
        var frames = d.Decide("clip.frames", null, Choice.Flag(options.Frames, "--frames"),
            Choice.Default(org ? 32 : 8, "the pickle does not record its clip length (the releases: 8x8 with resnet_video, 32x2 and 128x1 with resnet_video_org)"));
        var rate = d.Decide("clip.sampling_rate", null, Choice.Flag(options.SamplingRate, "--sampling-rate"),
            Choice.Default(org ? 2 : 8, "the pickle does not record its sampling rate"));

        var instantiation = weights.NonLocal.Count == 0 ? "none" : NonLocalRules.Instantiation(d, weights, null, Choice.Flag(options.Instantiation, "--nonlocal-mode"),
            Choice.Rule("embedded_gaussian", $"{Config} NONLOCAL.USE_SOFTMAX = True (every released model)"));
        var scale = d.Decide("nonlocal.scale", null, Choice.Flag(options.UseScale, "--use-scale"),
            Choice.Rule(true, $"{Config} NONLOCAL.USE_SCALE = True; nonlocal_helper.py spacetime_nonlocal scales by dim_inner**-.5"));
        // spacetime_nonlocal: MaxPool kernels [1, 2, 2] of the block's input, then the phi and g convs.
        var subsample = weights.NonLocal.Count == 0 ? "none" : d.Record("nonlocal.subsample", Choice.Rule("pool_then_conv", "lib/models/nonlocal_helper.py spacetime_nonlocal (max_pool_stride=2, then phi and g)"));
        // create_model: with MODEL.USE_AFFINE, res3 calls res_stage_nonlocal_group with group_size=4 and
        // group_num = pool_stride / 4, pool_stride being res3's frame count; groups exist when group_num > 1.
        var res3Frames = frames / (org ? 8 : 2);
        var groupRule = weights.Affine
            ? Choice.Rule(res3Frames > 4 ? 4 : 0, $"{source} create_model: affine models group res3's non-local blocks by 4 frames (resnet_helper.py res_stage_nonlocal_group) when res3 has more than 4")
            : Choice.Rule(0, "resnet_helper.py res_stage_nonlocal: attention over the whole clip");
        var res3Group = weights.NonLocal.Any(s => s.Stage == 3) ? d.Decide("nonlocal.group (res3)", null, Choice.Flag(options.Group, "--nonlocal-group"), groupRule) : 0;
        var otherGroup = options.Group ?? 0;
        var nonLocal = Enumerable.Range(0, 4).Select(s => new NonLocalChoice(instantiation, scale, subsample, [1, 2, 2], s == 1 ? res3Group : otherGroup)).ToArray();

        return new VideoChoices
        {
            Dialect = "video-nonlocal-net",
            Epsilon = d.Record("bn_epsilon", Choice.Rule(1.0000001e-5, $"{Config} MODEL.BN_EPSILON, NONLOCAL.BN_EPSILON")),
            StemStride = stemStride,
            StemPool = stemPool,
            PoolAfterRes2 = pool2,
            StrideOn = d.Record("stride_on", Choice.Rule("b", "lib/models/resnet_helper.py bottleneck_transformation_3d: the spatial stride is on branch2b")),
            HeadKind = "fully_conv",
            HeadPool = headPool,
            NonLocal = nonLocal,
            Normalization = d.Record("normalization", Choice.Rule(Normalizations.Kinetics, $"{Config} MODEL.MEAN 114.75, MODEL.STD 57.375, MODEL.USE_BGR False")),
            Frames = frames,
            SamplingRate = rate,
            ShortSide = d.Decide("clip.short_side", null, Choice.Flag(options.ShortSide, "--short-side"), Choice.Rule(256, $"{Config} TEST.SCALE")),
            Crop = d.Decide("clip.crop", null, Choice.Flag(options.Crop, "--crop"), Choice.Rule(224, $"{Config} TEST.CROP_SIZE")),
        };
    }
}
