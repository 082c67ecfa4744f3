using System.Text.Json.Nodes;
using Engine;
using WeightConverter.Package;
using WeightConverter.Rules;

namespace WeightConverter.Dialects;

/// <summary>
/// Maps a bottleneck (video) ResNet of any family to the canonical package (docs/weight-package.md):
/// depth, widths, temporal kernels and non-local placement come from the tensors, everything else from
/// the family's <see cref="VideoChoices"/>; every BN is folded into the conv before it.
/// </summary>
internal static class VideoResNetMapper
{
    public static MappedModel Map(StateDict source, VideoNaming naming, VideoWeights weights, VideoChoices choices, Derivation derivation, string? inflate)
    {
        var model = new MappedModel(choices.Dialect, source) { Derivation = derivation };
        var folder = new ConvFolder(source, model, choices.Epsilon);
        source.SkipTrainingState();
        var is2D = weights.Is2D;
        if (inflate is not (null or "c2d" or "i3d"))
            throw new EngineException($"--inflate '{inflate}': expected c2d or i3d.");
        if (inflate is not null && !is2D)
            throw new EngineException($"{source.Path}: --inflate applies to 2D ImageNet ResNets; this checkpoint already has 3D kernels.");
        if (is2D && inflate is not null)
            model.Notes.Add($"inflated the 2D kernels into {inflate.ToUpperInvariant()} (each kernel repeated over time and divided by its temporal size)");
        var width = weights.StemShape[0];
        var threeByThree = weights.TemporalB.Any(stage => stage.Any(kt => kt > 1));

        // The I3D pattern of video-nonlocal-net obtain_arc (arc_type 2) for inflated ImageNet weights.
        int InflatedKt(int stage, int block) => inflate != "i3d" ? 1 : stage switch
        {
            2 => 3,
            5 => block % 2 == 1 ? 3 : 1,
            _ => block % 2 == 0 ? 3 : 1,
        };

        var stemKt = is2D ? (inflate == "i3d" ? 5 : 1) : weights.StemTemporalKernel;
        folder.Emit("stem.conv", naming.Stem, is2D ? [width, 3, 7, 7] : [width, 3, -1, 7, 7], true, is2D ? stemKt : 0);

        var temporal = new JsonArray();
        var nonLocal = new JsonArray();
        var inChannels = width;
        for (var s = 2; s <= 5; s++)
        {
            var inner = width << (s - 2);
            var outChannels = inner * 4;
            var kernels = new JsonArray();
            for (var k = 0; k < weights.StageBlocks[s - 2]; k++)
            {
                var blockIn = k == 0 ? inChannels : outChannels;
                var kt = is2D ? InflatedKt(s, k) : threeByThree ? weights.TemporalB[s - 2][k] : weights.TemporalA[s - 2][k];
                kernels.Add(kt);
                var p = $"res{s}.{k}";
                folder.Emit(p + ".a", naming.Conv(s, k, 'a'), is2D ? [inner, blockIn, 1, 1] : [inner, blockIn, -1, 1, 1], true, is2D ? kt : 0);
                folder.Emit(p + ".b", naming.Conv(s, k, 'b'), is2D ? [inner, inner, 3, 3] : [inner, inner, -1, 3, 3], true, is2D ? 1 : 0);
                folder.Emit(p + ".c", naming.Conv(s, k, 'c'), is2D ? [outChannels, inner, 1, 1] : [outChannels, inner, 1, 1, 1], true, is2D ? 1 : 0);
                if (k == 0)
                    folder.Emit(p + ".shortcut", naming.Conv(s, k, 's'), is2D ? [outChannels, blockIn, 1, 1] : [outChannels, blockIn, 1, 1, 1], true, is2D ? 1 : 0);
                if (weights.NonLocal.FirstOrDefault(n => n.Stage == s && n.Block == k) is { } site)
                    nonLocal.Add(MapNonLocal(source, folder, site, choices.NonLocal[s - 2], outChannels));
            }
            temporal.Add(kernels);
            inChannels = outChannels;
        }
        var classes = source.ShapeOf(naming.HeadWeight) is { Length: 2 } headShape ? headShape[0] : -1;
        folder.Emit("head.fc", new ConvKeys(naming.HeadWeight, naming.HeadBias), [-1, inChannels], false);

        var head = new JsonObject { ["kind"] = choices.HeadKind, ["classes"] = classes };
        if (choices.HeadKind == "fully_conv")
            head["pool"] = Ints(choices.HeadPool!);
        var stride = is2D && inflate is not null ? new[] { 1, 2, 2 } : choices.StemStride;
        model.Architecture = new JsonObject
        {
            ["kind"] = "video-resnet",
            ["depth"] = weights.Depth,
            ["stem_width"] = width,
            ["inner_widths"] = new JsonArray(Enumerable.Range(0, 4).Select(s => (JsonNode)(width << s)).ToArray()),
            ["out_widths"] = new JsonArray(Enumerable.Range(0, 4).Select(s => (JsonNode)((width << s) * 4)).ToArray()),
            ["stage_blocks"] = Ints(weights.StageBlocks),
            ["stem"] = new JsonObject
            {
                ["kernel"] = Ints([stemKt, 7, 7]),
                ["stride"] = Ints(stride),
                ["padding"] = Ints([stemKt / 2, 3, 3]),
                ["pool"] = Pool(choices.StemPool),
            },
            ["pool_after_res2"] = Pool(choices.PoolAfterRes2),
            ["temporal_kernels"] = temporal,
            ["inflate_style"] = threeByThree ? "3x3x3" : "3x1x1",
            ["stride_on"] = choices.StrideOn,
            ["spatial_strides"] = Ints(choices.SpatialStrides),
            ["temporal_strides"] = Ints(choices.TemporalStrides),
            ["nonlocal"] = nonLocal,
            ["head"] = head,
            ["bn_epsilon"] = choices.Epsilon,
        };
        model.Normalization = choices.Normalization;
        model.Clip = new JsonObject { ["frames"] = choices.Frames, ["sampling_rate"] = choices.SamplingRate, ["short_side"] = choices.ShortSide, ["crop"] = choices.Crop };
        return model;
    }

    private static JsonObject MapNonLocal(StateDict source, ConvFolder folder, NonLocalSite site, NonLocalChoice choice, long channels)
    {
        var keys = site.Keys;
        var inner = source.ShapeOf(keys.G.Weight)![0];
        var p = $"res{site.Stage}.{site.Block}.nonlocal";
        long[] embed = [inner, channels, 1, 1, 1];
        if (site.Embedded)
        {
            folder.Emit(p + ".theta", keys.Theta, embed, false);
            folder.Emit(p + ".phi", keys.Phi, embed, false);
        }
        folder.Emit(p + ".g", keys.G, embed, false);
        var output = folder.Emit(p + ".out", keys.Out, [channels, inner, 1, 1, 1], false) ?? "none";
        if (site.Concatenation)
            folder.Copy(p + ".concat_project.weight", keys.ConcatProject!, [1, 2 * inner, 1, 1]);
        return new JsonObject
        {
            ["stage"] = site.Stage,
            ["block"] = site.Block,
            ["instantiation"] = choice.Instantiation,
            ["scale"] = choice.Instantiation == "embedded_gaussian" && choice.Scale,
            ["inner"] = inner,
            ["subsample"] = choice.Subsample,
            ["pool"] = Ints(choice.Pool),
            ["mode"] = "spacetime",
            ["group"] = choice.Group,
            ["output"] = output,
        };
    }

    public static JsonArray Ints(IEnumerable<int> values) => new(values.Select(v => (JsonNode)v).ToArray());

    public static JsonObject? Pool(PoolChoice? pool) => pool is null ? null : new JsonObject
    {
        ["kernel"] = Ints(pool.Kernel),
        ["stride"] = Ints(pool.Stride),
        ["padding"] = Ints(pool.Padding),
    };
}
