using System.Text.Json;
using Engine.Contracts;
using Engine.Gpu;
using Engine.Graph;
using Engine.Graph.Nodes;
using Engine.Ops;
using Engine.Ops.Detection;

namespace Engine.Models.Detection;

/// <summary>
/// Builds the inference graph of a ResNet-FPN Mask/Faster R-CNN package (torchvision's
/// maskrcnn_resnet50_fpn and its relatives) for one image of height x width: transform, backbone
/// (with the package's non-local blocks), FPN and RPN head. Tensor names (the `--dump` contract):
/// input `image` (3, H, W) RGB 0..1; `transform.image`; `backbone.stem`, `backbone.res{s}.{k}`,
/// `backbone.nonlocal` (the first non-local block's output); `fpn.p{2..6}`; `rpn.objectness.p{2..6}`
/// and `rpn.deltas.p{2..6}`. Weights are read from the package only while the graph compiles.
/// </summary>
public static class DetectorBuilder
{
    public const string Input = "image";
    public const string TransformedImage = "transform.image";
    public const string NonLocalOutput = "backbone.nonlocal";

    /// <summary>The FPN levels the RPN runs on: P2..P5 and the pooled P6.</summary>
    public static readonly int[] Levels = [2, 3, 4, 5, 6];

    /// <summary>
    /// The graph for images of <paramref name="height"/> x <paramref name="width"/>; <paramref name="minSize"/>
    /// and <paramref name="maxSize"/> override the package's transform sizes (torchvision's min_size, max_size).
    /// With <paramref name="channelsLastInput"/> the input `image` is a channels-last (1, 1, H, W, 4) RGB
    /// 0..1 frame (what the live host's whole-frame input delivers) instead of a planar (3, H, W) one.
    /// </summary>
    public static GraphBuilder Build(WeightPackage package, int height, int width, int? minSize = null, int? maxSize = null, bool channelsLastInput = false)
    {
        var arch = Architecture(package, minSize, maxSize);
        if (height <= 0 || width <= 0)
            throw new EngineException($"{package.Path}: an image of {height}x{width} pixels.");
        var graph = new GraphBuilder(Path.GetFileNameWithoutExtension(package.Path));
        var (resized, padded) = InputSize(arch, height, width);
        graph.Input(Input, channelsLastInput ? TensorSpec.Activation(1, 1, height, width, 3) : new TensorSpec(new Shape(3, height, width)));
        graph.Add(new ImageTransformNode("transform", Input, TransformedImage, ReadNormalization(package), resized, padded));

        var features = Backbone(graph, package, arch, TransformedImage, padded);
        var pyramid = Fpn(graph, package, arch, features);
        RpnHead(graph, package, arch, pyramid);
        foreach (var level in Levels)
        {
            graph.Output($"rpn.objectness.p{level}");
            graph.Output($"rpn.deltas.p{level}");
        }
        return graph;
    }

    /// <summary>The package's architecture with the transform sizes overridden where given.</summary>
    public static DetectorArchitecture Architecture(WeightPackage package, int? minSize = null, int? maxSize = null)
    {
        var arch = DetectorArchitecture.Parse(package.Architecture.RootElement, package.Path);
        arch = arch with { MinSize = minSize ?? arch.MinSize, MaxSize = maxSize ?? arch.MaxSize };
        if (arch.MinSize <= 0 || arch.MaxSize < arch.MinSize)
            throw new EngineException($"{package.Path}: min size {arch.MinSize} and max size {arch.MaxSize} must be positive and ordered.");
        return arch;
    }

    /// <summary>The resized (before padding) and padded network input sizes for an image.</summary>
    public static ((int H, int W) Resized, (int H, int W) Padded) InputSize(DetectorArchitecture arch, int height, int width)
    {
        var resized = ImageTransform.ResizedSizeOf(height, width, arch.MinSize, arch.MaxSize);
        return (resized, ImageTransform.Padded(resized));
    }

    /// <summary>Stem and four stages; returns the outputs of res2..res5 with their sizes.</summary>
    private static (string Name, (int H, int W) Size)[] Backbone(GraphBuilder graph, WeightPackage package, DetectorArchitecture arch, string input, (int H, int W) size)
    {
        var nonlocalJson = package.Architecture.RootElement.TryGetProperty("nonlocal", out var nl) && nl.ValueKind == JsonValueKind.Array ? nl.EnumerateArray().ToArray() : [];
        var nonlocals = arch.Nonlocal.Select((spec, i) => (spec, json: nonlocalJson[i]))
            .ToDictionary(x => (x.spec.Stage, x.spec.BeforeBlock), x => ParseNonLocal(package, x.json));

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
    private static (int H, int W) Conv(GraphBuilder graph, WeightPackage package, string weights, string input, string output, int cin, int cout,
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

    private static NonLocalOptions ParseNonLocal(WeightPackage package, JsonElement entry)
    {
        try
        {
            return NonLocalOptions.Parse(entry);
        }
        catch (EngineException e)
        {
            throw new EngineException($"{package.Path}: architecture: {e.Message}");
        }
    }

    /// <summary>The package's `normalization` metadata; torchvision's ImageNet RGB 0..1 when absent.</summary>
    private static Normalization ReadNormalization(WeightPackage package)
    {
        if (!package.Metadata.TryGetValue("normalization", out var text))
            return Normalization.ImageNet;
        try
        {
            using var doc = JsonDocument.Parse(text);
            var n = doc.RootElement;
            return new Normalization(n.GetProperty("scale").GetDouble(), [.. n.GetProperty("mean").EnumerateArray().Select(e => e.GetDouble())],
                [.. n.GetProperty("std").EnumerateArray().Select(e => e.GetDouble())], n.TryGetProperty("space", out var space) && space.GetString() == "bgr");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new EngineException($"{package.Path}: metadata 'normalization' is malformed: {e.Message}");
        }
    }
}
