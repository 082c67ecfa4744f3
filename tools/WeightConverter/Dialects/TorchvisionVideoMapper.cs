using System.Text.Json.Nodes;
using WeightConverter.Package;
using WeightConverter.Rules;

namespace WeightConverter.Dialects;

/// <summary>
/// torchvision's video ResNets (torchvision/models/video/resnet.py VideoResNet): r3d_18 (Conv3DSimple
/// everywhere), mc3_18 (Conv3DSimple in layer1, Conv3DNoTemporal after) and r2plus1d_18 (Conv2Plus1D,
/// R2Plus1dStem), with BasicBlocks, from their plain state dicts. Which one a file is, and its strides,
/// follow from the tensors by torchvision's own construction.
/// </summary>
internal static class TorchvisionVideoMapper
{
    private const string Source = "torchvision/models/video/resnet.py";

    /// <summary>The key that marks a torchvision video ResNet: the stem's first conv, 5D.</summary>
    public const string Probe = "stem.0.weight";

    public static MappedModel Map(StateDict source, ConvertOptions options, Derivation d)
    {
        var model = new MappedModel("torchvision", source) { Derivation = d };
        var folder = new ConvFolder(source, model, d.Record("bn_epsilon", Choice.Rule(1e-5, $"{Source}: nn.BatchNorm3d default eps")));
        source.SkipTrainingState();
        // R2Plus1dStem: Conv3d(3, 45, (1, 7, 7)), BN, ReLU, Conv3d(45, 64, (3, 1, 1)), BN, ReLU; BasicStem: Conv3d(3, 64, (3, 7, 7)), BN, ReLU.
        var factorized = source.Has("stem.3.weight");
        d.Record("factorized", Choice.Weights(factorized, factorized ? "R2Plus1dStem (stem.3.weight) and Conv2Plus1D blocks" : "BasicStem (stem.0 only)"));
        int width;
        if (factorized)
        {
            var mid = source.ShapeOf("stem.0.weight")?[0] ?? -1;
            folder.Emit("stem.conv.spatial", ConvKeys.Torch("stem.0.weight", null, "stem.1"), [mid, 3, 1, 7, 7], true);
            width = (int)(source.ShapeOf("stem.3.weight")?[0] ?? -1);
            folder.Emit("stem.conv", ConvKeys.Torch("stem.3.weight", null, "stem.4"), [width, mid, 3, 1, 1], true);
        }
        else
        {
            width = (int)(source.ShapeOf("stem.0.weight")?[0] ?? -1);
            folder.Emit("stem.conv", ConvKeys.Torch("stem.0.weight", null, "stem.1"), [width, 3, 3, 7, 7], true);
        }

        var blocks = new int[4];
        var kernels = new JsonArray();
        var temporalStrides = new int[4];
        var inChannels = (long)width;
        for (var s = 0; s < 4; s++)
        {
            var layer = $"layer{s + 1}";
            while (source.Has($"{layer}.{blocks[s]}.conv1.0.weight") || source.Has($"{layer}.{blocks[s]}.conv1.0.0.weight"))
                blocks[s]++;
            if (blocks[s] == 0)
                source.Take($"{layer}.0.conv1.0.weight");
            var planes = (long)width << s;
            var stageKernels = new JsonArray();
            for (var k = 0; k < blocks[s]; k++)
            {
                var p = $"{layer}.{k}";
                var kt = factorized ? 3 : (int)(source.ShapeOf($"{p}.conv1.0.weight") is { Length: 5 } shape ? shape[2] : 1);
                stageKernels.Add(kt);
                var blockIn = k == 0 ? inChannels : planes;
                EmitConv(folder, source, $"res{s + 2}.{k}.a", $"{p}.conv1", factorized, blockIn, planes, kt);
                EmitConv(folder, source, $"res{s + 2}.{k}.b", $"{p}.conv2", factorized, planes, planes, kt);
                if (source.Has($"{p}.downsample.0.weight"))
                    folder.Emit($"res{s + 2}.{k}.shortcut", ConvKeys.Torch($"{p}.downsample.0.weight", null, $"{p}.downsample.1"), [planes, blockIn, 1, 1, 1], true);
            }
            // get_downsample_stride: Conv3DSimple and Conv2Plus1D stride time too, Conv3DNoTemporal does not; layer1 has stride 1.
            temporalStrides[s] = s > 0 && stageKernels.Count > 0 && stageKernels[0]!.GetValue<int>() > 1 ? 2 : 1;
            kernels.Add(stageKernels);
            inChannels = planes;
        }
        d.Record("temporal_strides", Choice.Rule(temporalStrides, $"{Source} Conv3DSimple/Conv2Plus1D/Conv3DNoTemporal.get_downsample_stride"));
        var classes = source.ShapeOf("fc.weight") is { Length: 2 } headShape ? headShape[0] : -1;
        folder.Emit("head.fc", new ConvKeys("fc.weight", "fc.bias"), [-1, inChannels], false);
        d.Record("head", Choice.Rule("global_avg_fc", $"{Source} VideoResNet: AdaptiveAvgPool3d(1), fc"));
        var (normalization, frames, rate, shortSide, crop) = TorchvisionRules.VideoInput(options, d);
        model.Architecture = new JsonObject
        {
            ["kind"] = "video-resnet",
            ["block"] = "basic",
            ["factorized"] = factorized,
            ["depth"] = 2 * blocks.Sum() + 2,
            ["stem_width"] = width,
            ["inner_widths"] = VideoResNetMapper.Ints(Enumerable.Range(0, 4).Select(s => width << s)),
            ["out_widths"] = VideoResNetMapper.Ints(Enumerable.Range(0, 4).Select(s => width << s)),
            ["stage_blocks"] = VideoResNetMapper.Ints(blocks),
            ["stem"] = new JsonObject
            {
                ["kernel"] = VideoResNetMapper.Ints([3, 7, 7]),
                ["stride"] = VideoResNetMapper.Ints([1, 2, 2]),
                ["padding"] = VideoResNetMapper.Ints([1, 3, 3]),
                ["pool"] = null,
            },
            ["pool_after_res2"] = null,
            ["temporal_kernels"] = kernels,
            ["spatial_strides"] = VideoResNetMapper.Ints([1, 2, 2, 2]),
            ["temporal_strides"] = VideoResNetMapper.Ints(temporalStrides),
            ["nonlocal"] = new JsonArray(),
            ["head"] = new JsonObject { ["kind"] = "global_avg_fc", ["classes"] = classes },
            ["bn_epsilon"] = 1e-5,
        };
        model.Normalization = d.Record("normalization", normalization);
        model.Clip = new JsonObject { ["frames"] = frames, ["sampling_rate"] = rate, ["short_side"] = shortSide, ["crop"] = crop };
        return model;
    }

    /// <summary>
    /// One BasicBlock conv: `{key}.0` a Conv3d and `{key}.1` its BN, or (Conv2Plus1D) `{key}.0.0` spatial conv,
    /// `{key}.0.1` its BN, `{key}.0.3` temporal conv and `{key}.1` the BN after it.
    /// </summary>
    private static void EmitConv(ConvFolder folder, StateDict source, string name, string key, bool factorized, long input, long output, int kt)
    {
        if (!factorized)
        {
            folder.Emit(name, ConvKeys.Torch($"{key}.0.weight", null, $"{key}.1"), [output, input, kt, 3, 3], true);
            return;
        }
        var mid = source.ShapeOf($"{key}.0.0.weight")?[0] ?? -1;
        folder.Emit(name + ".spatial", ConvKeys.Torch($"{key}.0.0.weight", null, $"{key}.0.1"), [mid, input, 1, 3, 3], true);
        folder.Emit(name, ConvKeys.Torch($"{key}.0.3.weight", null, $"{key}.1"), [output, mid, 3, 1, 1], true);
    }
}
