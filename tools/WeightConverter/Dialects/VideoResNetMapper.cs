using System.Text.Json.Nodes;
using Engine;
using WeightConverter.Package;

namespace WeightConverter.Dialects;

/// <summary>
/// Maps any family's (video) ResNet to the canonical package (docs/weight-package.md): infers depth,
/// width, temporal kernels, non-local placement and variant and the classifier from the tensors, takes
/// the rest from the family's defaults or flags, and folds every BN into the conv before it.
/// </summary>
internal static class VideoResNetMapper
{
    public static MappedModel Map(StateDict source, VideoNaming naming, VideoDefaults defaults, ConvertOptions options)
    {
        var model = new MappedModel(defaults.Dialect, source);
        var folder = new ConvFolder(source, model, defaults.Epsilon);
        source.SkipTrainingState();
        var stemShape = source.ShapeOf(naming.Stem.Weight);
        if (stemShape is null || stemShape.Length is not (4 or 5))
        {
            if (stemShape is null)
                source.Take(naming.Stem.Weight);
            else
                throw new EngineException($"{source.Path}: key '{naming.Stem.Weight}' has shape ({string.Join(", ", stemShape)}), expected a 4D or 5D convolution kernel.");
            return model;
        }
        var is2D = stemShape.Length == 4;
        var inflate = options.Inflate;
        if (inflate is not (null or "c2d" or "i3d"))
            throw new EngineException($"--inflate '{inflate}': expected c2d or i3d.");
        if (inflate is not null && !is2D)
            throw new EngineException($"{source.Path}: --inflate applies to 2D ImageNet ResNets; this checkpoint already has 3D kernels.");
        if (is2D && inflate is not null)
            model.Notes.Add($"inflated the 2D kernels into {inflate.ToUpperInvariant()} (each kernel repeated over time and divided by its temporal size)");
        var width = stemShape[0];

        var stageBlocks = new int[4];
        for (var s = 2; s <= 5; s++)
        {
            while (source.Has(naming.Conv(s, stageBlocks[s - 2], 'a').Weight))
                stageBlocks[s - 2]++;
            if (stageBlocks[s - 2] == 0)
                source.Take(naming.Conv(s, 0, 'a').Weight);
        }

        int InflatedKt(int stage, int block) => inflate != "i3d" ? 1 : stage switch
        {
            2 => 3,
            5 => block % 2 == 1 ? 3 : 1,
            _ => block % 2 == 0 ? 3 : 1,
        };

        var stemKt = is2D ? (inflate == "i3d" ? 5 : 1) : (int)stemShape[2];
        folder.Emit("stem.conv", naming.Stem, is2D ? [width, 3, 7, 7] : [width, 3, -1, 7, 7], true, is2D ? stemKt : 0);

        var temporal = new JsonArray();
        var nonLocal = new JsonArray();
        var frames = options.Frames ?? defaults.Frames;
        var rate = options.SamplingRate ?? defaults.SamplingRate;
        var inChannels = width;
        for (var s = 2; s <= 5; s++)
        {
            var inner = width << (s - 2);
            var outChannels = inner * 4;
            var kernels = new JsonArray();
            for (var k = 0; k < stageBlocks[s - 2]; k++)
            {
                var blockIn = k == 0 ? inChannels : outChannels;
                var aShape = source.ShapeOf(naming.Conv(s, k, 'a').Weight);
                var kt = is2D ? InflatedKt(s, k) : aShape is { Length: 5 } ? (int)aShape[2] : 1;
                kernels.Add(kt);
                var p = $"res{s}.{k}";
                folder.Emit(p + ".a", naming.Conv(s, k, 'a'), is2D ? [inner, blockIn, 1, 1] : [inner, blockIn, -1, 1, 1], true, is2D ? kt : 0);
                folder.Emit(p + ".b", naming.Conv(s, k, 'b'), is2D ? [inner, inner, 3, 3] : [inner, inner, 1, 3, 3], true, is2D ? 1 : 0);
                folder.Emit(p + ".c", naming.Conv(s, k, 'c'), is2D ? [outChannels, inner, 1, 1] : [outChannels, inner, 1, 1, 1], true, is2D ? 1 : 0);
                if (k == 0)
                    folder.Emit(p + ".shortcut", naming.Conv(s, k, 's'), is2D ? [outChannels, blockIn, 1, 1] : [outChannels, blockIn, 1, 1, 1], true, is2D ? 1 : 0);
                if (naming.NonLocal(s, k) is { } keys && source.Has(keys.G.Weight))
                    nonLocal.Add(MapNonLocal(source, folder, keys, defaults, options, s, k, outChannels));
            }
            temporal.Add(kernels);
            inChannels = outChannels;
        }
        var head = naming.HeadWeight;
        var classes = source.ShapeOf(head) is { Length: 2 } headShape ? headShape[0] : -1;
        folder.Emit("head.fc", new ConvKeys(head, naming.HeadBias), [-1, inChannels], false);

        var stemStride = defaults.LongClipTemporalStride && frames >= 32 ? 2 : 1;
        var poolKernel = defaults.Pool1KernelFollowsStride ? stemStride : 1;
        var framesAtRes5 = Math.Max(1, frames / stemStride / stemStride / (defaults.PoolAfterRes2 ? 2 : 1));
        var headJson = new JsonObject { ["kind"] = defaults.HeadKind, ["classes"] = classes };
        if (defaults.HeadKind == "fully_conv")
            headJson["pool"] = new JsonArray(framesAtRes5, 7, 7);
        model.Architecture = new JsonObject
        {
            ["kind"] = "video-resnet",
            ["depth"] = 3 * stageBlocks.Sum() + 2,
            ["stem_width"] = width,
            ["inner_widths"] = new JsonArray(Enumerable.Range(0, 4).Select(s => (JsonNode)(width << s)).ToArray()),
            ["out_widths"] = new JsonArray(Enumerable.Range(0, 4).Select(s => (JsonNode)((width << s) * 4)).ToArray()),
            ["stage_blocks"] = new JsonArray(stageBlocks.Select(b => (JsonNode)b).ToArray()),
            ["stem"] = new JsonObject
            {
                ["kernel"] = new JsonArray(stemKt, 7, 7),
                ["stride"] = new JsonArray(stemStride, 2, 2),
                ["padding"] = new JsonArray(stemKt / 2, 3, 3),
                ["pool"] = new JsonObject
                {
                    ["kernel"] = new JsonArray(poolKernel, 3, 3),
                    ["stride"] = new JsonArray(stemStride, 2, 2),
                    ["padding"] = defaults.PaddedStemPool ? new JsonArray(0, 1, 1) : new JsonArray(0, 0, 0),
                },
            },
            ["pool_after_res2"] = defaults.PoolAfterRes2 ? new JsonObject { ["kernel"] = new JsonArray(2, 1, 1), ["stride"] = new JsonArray(2, 1, 1) } : null,
            ["temporal_kernels"] = temporal,
            ["nonlocal"] = nonLocal,
            ["head"] = headJson,
            ["bn_epsilon"] = defaults.Epsilon,
        };
        model.Normalization = defaults.Normalization;
        var (shortSide, crop) = (options.ShortSide ?? 256, options.Crop ?? 224);
        if (crop < 1 || crop > shortSide)
            throw new EngineException($"--short-side {shortSide} --crop {crop}: the crop must be positive and fit in the short side.");
        model.Clip = new JsonObject { ["frames"] = frames, ["sampling_rate"] = rate, ["short_side"] = shortSide, ["crop"] = crop };
        return model;
    }

    private static JsonObject MapNonLocal(StateDict source, ConvFolder folder, NonLocalKeys keys, VideoDefaults defaults, ConvertOptions options, int stage, int block, long channels)
    {
        var inner = source.ShapeOf(keys.G.Weight)![0];
        var p = $"res{stage}.{block}.nonlocal";
        var gaussian = !source.Has(keys.Theta.Weight) && !source.Has(keys.Phi.Weight);
        var concatenation = keys.ConcatProject is not null && source.Has(keys.ConcatProject);
        var instantiation = gaussian ? "gaussian" : concatenation ? "concatenation" : options.Instantiation ?? defaults.Instantiation;
        if (instantiation is not ("gaussian" or "embedded_gaussian" or "dot_product" or "concatenation"))
            throw new EngineException($"--nonlocal '{instantiation}': expected embedded_gaussian or dot_product.");
        long[] embed = [inner, channels, 1, 1, 1];
        if (!gaussian)
        {
            folder.Emit(p + ".theta", keys.Theta, embed, false);
            folder.Emit(p + ".phi", keys.Phi, embed, false);
        }
        folder.Emit(p + ".g", keys.G, embed, false);
        var output = folder.Emit(p + ".out", keys.Out, [channels, inner, 1, 1, 1], false) ?? "none";
        if (concatenation)
            folder.Copy(p + ".concat_project.weight", keys.ConcatProject!, [1, 2 * inner, 1, 1]);
        return new JsonObject
        {
            ["stage"] = stage,
            ["block"] = block,
            ["instantiation"] = instantiation,
            ["scale"] = instantiation == "embedded_gaussian" && (options.UseScale ?? defaults.Scale),
            ["inner"] = inner,
            ["subsample"] = defaults.Subsample,
            ["pool"] = new JsonArray(1, 2, 2),
            ["mode"] = "spacetime",
            ["group"] = options.Group ?? 0,
            ["output"] = output,
        };
    }
}
