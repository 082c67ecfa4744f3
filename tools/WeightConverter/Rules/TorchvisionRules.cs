using WeightConverter.Dialects;

namespace WeightConverter.Rules;

/// <summary>
/// torchvision's ResNets: the 2D ImageNet classifiers (run on one frame, or inflated into C2D/I3D with
/// `--inflate`), and the Kinetics video ResNets r3d_18, mc3_18 and r2plus1d_18, whose plain state dicts
/// need no flags: their shape is in the tensors and the rest in torchvision's code.
/// </summary>
internal static class TorchvisionRules
{
    private const string ResNet = "torchvision/models/resnet.py";
    private const string Video = "torchvision/models/video/resnet.py";

    public static VideoChoices Derive2D(string? inflate, ConvertOptions options, Derivation d)
    {
        var inflated = inflate is not null;
        var frames = d.Decide("clip.frames", null, Choice.Flag(options.Frames, "--frames"), inflated
            ? Choice.Default(8, "an inflated ImageNet network has no clip length of its own")
            : Choice.Rule(1, "a 2D ImageNet network sees one frame"));
        var rate = d.Decide("clip.sampling_rate", null, Choice.Flag(options.SamplingRate, "--sampling-rate"), inflated
            ? Choice.Default(8, "an inflated ImageNet network has no sampling rate of its own")
            : Choice.Rule(1, "a 2D ImageNet network sees one frame"));
        var instantiation = d.Record("nonlocal", Choice.Weights("none", "torchvision's ResNets have no non-local blocks"));
        return new VideoChoices
        {
            Dialect = "torchvision",
            Epsilon = d.Record("bn_epsilon", Choice.Rule(1e-5, $"{ResNet}: nn.BatchNorm2d default eps")),
            StemStride = d.Record("stem.stride", Choice.Rule(new[] { 1, 2, 2 }, $"{ResNet} ResNet.__init__ conv1 stride 2")),
            StemPool = d.Record("stem.pool", Choice.Rule(new PoolChoice([1, 3, 3], [1, 2, 2], [0, 1, 1]), $"{ResNet} ResNet.__init__ maxpool(3, 2, 1)")),
            // Inflation follows video-nonlocal-net's I3D (resnet_video.py create_model pool2 [2, 1, 1] after res2).
            PoolAfterRes2 = inflated ? d.Record("pool_after_res2", Choice.Rule(new PoolChoice([2, 1, 1], [2, 1, 1], [0, 0, 0]), "--inflate: video-nonlocal-net resnet_video.py create_model pool2")) : null,
            StrideOn = d.Record("stride_on", Choice.Rule("b", $"{ResNet} Bottleneck: the stride is on conv2 (3x3)")),
            HeadKind = "global_avg_fc",
            NonLocal = Enumerable.Repeat(new NonLocalChoice(instantiation, false, "none", [1, 1, 1], 0), 4).ToArray(),
            Normalization = d.Record("normalization", Choice.Rule(Normalizations.ImageNet01, "torchvision/transforms/_presets.py ImageClassification mean/std")),
            Frames = frames,
            SamplingRate = rate,
            ShortSide = d.Decide("clip.short_side", null, Choice.Flag(options.ShortSide, "--short-side"), Choice.Rule(256, "torchvision/transforms/_presets.py ImageClassification resize_size 256")),
            Crop = d.Decide("clip.crop", null, Choice.Flag(options.Crop, "--crop"), Choice.Rule(224, "torchvision/transforms/_presets.py ImageClassification crop_size 224")),
        };
    }

    /// <summary>The Kinetics-400 video ResNets' preprocessing and clips (R3D_18_Weights and siblings).</summary>
    public static (Choice<System.Text.Json.Nodes.JsonObject> Normalization, int Frames, int Rate, int ShortSide, int Crop) VideoInput(ConvertOptions options, Derivation d)
    {
        var normalization = Choice.Rule(Normalizations.Make("rgb", 1, [0.43216, 0.394666, 0.37645], [0.22803, 0.22145, 0.216989]), "torchvision/transforms/_presets.py VideoClassification mean/std");
        var frames = d.Decide("clip.frames", null, Choice.Flag(options.Frames, "--frames"), Choice.Rule(16, $"{Video} R3D_18_Weights: clip_len=16"));
        // The weights were evaluated at frame_rate=15: every second frame of a 30 fps source.
        var rate = d.Decide("clip.sampling_rate", null, Choice.Flag(options.SamplingRate, "--sampling-rate"), Choice.Rule(2, $"{Video} R3D_18_Weights: frame_rate=15 (every 2nd frame at 30 fps)"));
        // VideoClassification(crop_size=(112, 112), resize_size=(128, 171)): the short side goes to 128.
        var shortSide = d.Decide("clip.short_side", null, Choice.Flag(options.ShortSide, "--short-side"), Choice.Rule(128, $"{Video} R3D_18_Weights transforms resize_size (128, 171)"));
        var crop = d.Decide("clip.crop", null, Choice.Flag(options.Crop, "--crop"), Choice.Rule(112, $"{Video} R3D_18_Weights transforms crop_size (112, 112)"));
        return (normalization, frames, rate, shortSide, crop);
    }
}
