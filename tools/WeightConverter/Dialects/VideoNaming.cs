namespace WeightConverter.Dialects;

/// <summary>
/// How one family names the tensors of a (video) ResNet: stem, bottleneck convs a/b/c and the
/// projection shortcut ('s') of stage s (2..5) block k, the non-local block after a residual block,
/// and the classifier. One mapper (<see cref="VideoResNetMapper"/>) serves every family through this table.
/// </summary>
internal sealed class VideoNaming(string probe, ConvKeys stem, Func<int, int, char, ConvKeys> conv, Func<int, int, Func<string, bool>, NonLocalKeys?> nonLocal, string headWeight, string headBias)
{
    /// <summary>A key whose presence identifies the naming.</summary>
    public string Probe { get; } = probe;

    public ConvKeys Stem { get; } = stem;

    public string HeadWeight { get; } = headWeight;

    public string HeadBias { get; } = headBias;

    public ConvKeys Conv(int stage, int block, char unit) => conv(stage, block, unit);

    /// <summary>The keys of the non-local block after block <paramref name="block"/>; <paramref name="has"/> tells which of a family's key layouts the file uses.</summary>
    public NonLocalKeys? NonLocal(int stage, int block, Func<string, bool> has) => nonLocal(stage, block, has);

    public static readonly VideoNaming Caffe2 = new(
        "conv1_w",
        ConvKeys.Caffe2("conv1_w", null, "res_conv1_bn"),
        (s, k, u) => u == 's'
            ? ConvKeys.Caffe2($"res{s}_{k}_branch1_w", null, $"res{s}_{k}_branch1_bn")
            : ConvKeys.Caffe2($"res{s}_{k}_branch2{u}_w", null, $"res{s}_{k}_branch2{u}_bn"),
        (s, k, _) =>
        {
            var p = $"nonlocal_conv{s}_{k}";
            return new(new($"{p}_theta_w", $"{p}_theta_b"), new($"{p}_phi_w", $"{p}_phi_b"), new($"{p}_g_w", $"{p}_g_b"),
                ConvKeys.Caffe2($"{p}_out_w", $"{p}_out_b", $"{p}_bn"), null);
        },
        "pred_w", "pred_b");

    public static readonly VideoNaming SlowFast = new(
        "s1.pathway0_stem.conv.weight",
        ConvKeys.Torch("s1.pathway0_stem.conv.weight", null, "s1.pathway0_stem.bn"),
        (s, k, u) => u == 's'
            ? ConvKeys.Torch($"s{s}.pathway0_res{k}.branch1.weight", null, $"s{s}.pathway0_res{k}.branch1_bn")
            : ConvKeys.Torch($"s{s}.pathway0_res{k}.branch2.{u}.weight", null, $"s{s}.pathway0_res{k}.branch2.{u}_bn"),
        (s, k, _) =>
        {
            var p = $"s{s}.pathway0_nonlocal{k}";
            return new(new($"{p}.conv_theta.weight", $"{p}.conv_theta.bias"), new($"{p}.conv_phi.weight", $"{p}.conv_phi.bias"),
                new($"{p}.conv_g.weight", $"{p}.conv_g.bias"), ConvKeys.Torch($"{p}.conv_out.weight", $"{p}.conv_out.bias", $"{p}.bn"), null);
        },
        "head.projection.weight", "head.projection.bias");

    public static readonly VideoNaming Mmaction = new(
        "backbone.conv1.conv.weight",
        ConvKeys.Torch("backbone.conv1.conv.weight", null, "backbone.conv1.bn"),
        (s, k, u) =>
        {
            var module = $"backbone.layer{s - 1}.{k}." + (u == 's' ? "downsample" : $"conv{u - 'a' + 1}");
            return ConvKeys.Torch(module + ".conv.weight", null, module + ".bn");
        },
        (s, k, has) =>
        {
            var p = $"backbone.layer{s - 1}.{k}.non_local_block";
            // mmcv _NonLocalNd wraps g and phi in Sequential(conv, max-pool) when sub_sample is set, hence the ".0".
            var wrap = has($"{p}.g.0.conv.weight") ? ".0" : "";
            return new(new($"{p}.theta.conv.weight", $"{p}.theta.conv.bias"), new($"{p}.phi{wrap}.conv.weight", $"{p}.phi{wrap}.conv.bias"),
                new($"{p}.g{wrap}.conv.weight", $"{p}.g{wrap}.conv.bias"), ConvKeys.Torch($"{p}.conv_out.conv.weight", $"{p}.conv_out.conv.bias", $"{p}.conv_out.bn"),
                $"{p}.concat_project.conv.weight");
        },
        "cls_head.fc_cls.weight", "cls_head.fc_cls.bias");

    /// <summary>torchvision's 2D ImageNet ResNets (stride on the 3x3 conv, like the video families).</summary>
    public static readonly VideoNaming Torchvision = new(
        "layer1.0.conv1.weight",
        ConvKeys.Torch("conv1.weight", null, "bn1"),
        (s, k, u) => u == 's'
            ? ConvKeys.Torch($"layer{s - 1}.{k}.downsample.0.weight", null, $"layer{s - 1}.{k}.downsample.1")
            : ConvKeys.Torch($"layer{s - 1}.{k}.conv{u - 'a' + 1}.weight", null, $"layer{s - 1}.{k}.bn{u - 'a' + 1}"),
        (_, _, _) => null,
        "fc.weight", "fc.bias");
}
