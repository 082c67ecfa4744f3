using Engine.Gpu;
using Engine.Graph;
using Engine.Graph.Nodes;
using Engine.Ops;

namespace Engine.Models;

/// <summary>
/// Builds the graph of a video ResNet package (C2D, I3D, the 2D ResNet as one-frame C2D, R3D, MC3,
/// R(2+1)D) for a clip geometry. Tensor names follow the PyTorch reference (tests/fixtures/reference/video_resnet.py):
/// input `clip` (N, 3, T, H, W), then `stem.conv`, `stem.pool`, `res{s}.{k}.{a,b,shortcut}`, `res{s}.{k}`
/// (block outputs), `{conv}.spatial` (a factorized conv's first half), `res{s}.{k}.nonlocal`, `res2.pool`,
/// `head.pool`, `logits` and `probs` (the outputs).
/// Weights are read from the package only while the graph compiles.
/// </summary>
public static class VideoResNetBuilder
{
    public const string Input = "clip";
    public const string Logits = "logits";
    public const string Probabilities = "probs";

    /// <summary>Tensor name of the channels-last input (N, T, H, W, 4) when the builder is asked for one.</summary>
    public const string ChannelsLastInput = "input";

    /// <summary>The attention query input (<see cref="NonLocalNode.QuerySpec"/>) when an attention map is asked for.</summary>
    public const string AttentionQuery = "attention.query";

    /// <summary>The attention map output when one is asked for: (1, T', H', W') on the block's key grid.</summary>
    public const string AttentionMap = "attention.map";

    /// <summary>
    /// <paramref name="attentionBlock"/> asks non-local block <c>attentionBlock</c> (index in the
    /// package's list) for its attention map: the graph gets the input <see cref="AttentionQuery"/>,
    /// written before a run, and the output <see cref="AttentionMap"/>.
    /// </summary>
    public static GraphBuilder Build(WeightPackage package, int batch, int frames, int height, int width, bool channelsLastInput = false,
        int? attentionBlock = null)
    {
        var arch = VideoResNetArchitecture.Parse(package.Architecture, package.Path);
        var nonlocals = arch.Nonlocal.Select((spec, i) => (spec, options: package.Metadata.NonLocal[i], index: i))
            .ToDictionary(x => (x.spec.Stage, x.spec.Block), x => (x.options, x.index));
        if (attentionBlock is { } a && (a < 0 || a >= arch.Nonlocal.Length))
            throw new EngineException($"{package.Path}: attention of non-local block {a} asked, the package has {arch.Nonlocal.Length}.");

        var graph = new GraphBuilder(System.IO.Path.GetFileNameWithoutExtension(package.Path));
        var graphInput = channelsLastInput
            ? (Name: ChannelsLastInput, Spec: TensorSpec.Activation(batch, frames, height, width, 3))
            : (Name: Input, Spec: new TensorSpec(new Shape(batch, 3, frames, height, width)));
        graph.Input(graphInput.Name, graphInput.Spec);
        if (attentionBlock is not null)
            graph.Input(AttentionQuery, NonLocalNode.QuerySpec);
        if (!channelsLastInput)
            graph.Add(new InputLayoutNode("input", Input, ChannelsLastInput));

        Func<float[]> Tensor(string name, params long[] shape) => () => package.Floats(name, shape);
        ConvNode Plain(string name, string input, string output, ConvSpec spec, string? residual, bool relu) =>
            graph.Add(new ConvNode(name, input, output, spec, Tensor($"{name}.weight", spec.OutChannels, spec.InChannels, spec.Kernel.T, spec.Kernel.H, spec.Kernel.W),
                Tensor($"{name}.bias", spec.OutChannels), residual, relu));
        // One conv with its folded BN and epilogue, written to `output` (default: its own name). In a
        // factorized (R(2+1)D) package a conv with both a temporal and a spatial extent becomes
        // `{name}.spatial` (1, kh, kw) + ReLU, then `{name}` (kt, 1, 1) with the conv's own epilogue
        // (torchvision video/resnet.py Conv2Plus1D, R2Plus1dStem).
        void Conv(string name, string input, int cin, int cout, Size3 kernel, Size3 stride, Size3 padding, string? residual, bool relu, string? output = null)
        {
            if (arch.Factorized && kernel.T > 1 && kernel.H * kernel.W > 1)
            {
                var spatial = $"{name}.spatial";
                var mid = MidWidth(package, spatial);
                Plain(spatial, input, spatial, new ConvSpec(cin, mid, kernel with { T = 1 }, stride with { T = 1 }, padding with { T = 0 }), null, relu: true);
                (input, cin, kernel, stride, padding) = (spatial, mid, new Size3(kernel.T, 1, 1), new Size3(stride.T, 1, 1), new Size3(padding.T, 0, 0));
            }
            Plain(name, input, output ?? name, new ConvSpec(cin, cout, kernel, stride, padding), residual, relu);
        }

        var stem = arch.Stem;
        Conv("stem.conv", "input", 3, arch.StemWidth, Size(stem.Kernel), Size(stem.Stride), Size(stem.Padding), null, relu: true);
        var x = "stem.conv";
        if (stem.Pool is { } pool)
        {
            graph.Add(new PoolNode("stem.pool", x, "stem.pool", PoolKind.Max, Size(pool.Kernel), Size(pool.Stride), Size(pool.Padding)));
            x = "stem.pool";
        }

        var channels = arch.StemWidth;
        for (var s = 0; s < 4; s++)
        {
            var (inner, outWidth) = (arch.InnerWidth(s), arch.OutWidths[s]);
            for (var k = 0; k < arch.StageBlocks[s]; k++)
            {
                var block = $"res{s + 2}.{k}";
                var stride = k == 0 ? arch.StageStride(s) : Size3.Cube(1);
                var kt = arch.TemporalKernels[s][k];
                var residual = x;
                // A projection shortcut wherever the identity cannot be added (block 0 of every stage in released models).
                if (stride != Size3.Cube(1) || channels != outWidth)
                {
                    Conv($"{block}.shortcut", x, channels, outWidth, Size3.Cube(1), stride, Size3.Cube(0), null, relu: false);
                    residual = $"{block}.shortcut";
                }
                // The last conv carries the residual add and the block's ReLU in its epilogue; its output is the block's.
                if (arch.IsBasic)
                {
                    // torchvision video/resnet.py BasicBlock: conv1 (kt, 3, 3) with the stride, conv2 (kt, 3, 3).
                    var kernel = new Size3(kt, 3, 3);
                    Conv($"{block}.a", x, channels, outWidth, kernel, stride, Same(kernel), null, relu: true);
                    Conv($"{block}.b", $"{block}.a", outWidth, outWidth, kernel, Size3.Cube(1), Same(kernel), residual, relu: true, output: block);
                }
                else
                {
                    // The temporal kernel on conv a ("3x1x1") or on conv b ("3x3x3"), the stride on conv b or on conv a
                    // (style='caffe'): mmaction2 mmaction/models/backbones/resnet3d.py Bottleneck3d.__init__;
                    // PySlowFast slowfast/models/resnet_helper.py BottleneckTransform (stride_1x1=False) strides conv b.
                    var (ka, kb) = arch.InflateStyle == "3x3x3" ? (Size3.Cube(1), new Size3(kt, 3, 3)) : (new Size3(kt, 1, 1), new Size3(1, 3, 3));
                    var (sa, sb) = arch.StrideOn == "a" ? (stride, Size3.Cube(1)) : (Size3.Cube(1), stride);
                    Conv($"{block}.a", x, channels, inner, ka, sa, Same(ka), null, relu: true);
                    Conv($"{block}.b", $"{block}.a", inner, inner, kb, sb, Same(kb), null, relu: true);
                    Conv($"{block}.c", $"{block}.b", inner, outWidth, Size3.Cube(1), Size3.Cube(1), Size3.Cube(0), residual, relu: true, output: block);
                }
                x = block;
                channels = outWidth;
                if (nonlocals.TryGetValue((s + 2, k), out var nonlocal))
                {
                    var prefix = $"{block}.nonlocal";
                    var attention = attentionBlock == nonlocal.index ? (AttentionQuery, AttentionMap) : ((string, string)?)null;
                    graph.Add(new NonLocalNode(prefix, x, prefix, nonlocal.options, channels, n => package.Floats($"{prefix}.{n}"), attention));
                    if (attention is not null)
                        graph.Output(AttentionMap);
                    x = prefix;
                }
            }
            if (s == 0 && arch.PoolAfterRes2 is { } after)
            {
                graph.Add(new PoolNode("res2.pool", x, "res2.pool", PoolKind.Max, Size(after.Kernel), Size(after.Stride), Size(after.Padding)));
                x = "res2.pool";
            }
        }

        var head = arch.Head;
        var fcWeight = Tensor("head.fc.weight", head.Classes, channels);
        var fcBias = Tensor("head.fc.bias", head.Classes);
        if (head.Kind == "global_avg_fc")
        {
            graph.Add(new GlobalAveragePoolNode("head.pool", x, "head.pool"));
            graph.Add(new FullyConnectedNode(Logits, "head.pool", Logits, fcWeight, fcBias, head.Classes));
            graph.Add(new SoftmaxNode(Probabilities, Logits, Probabilities));
        }
        else
        {
            // Caffe2/PySlowFast testing: fixed average pool (stride 1), classifier and softmax per position, mean of the probabilities.
            graph.Add(new PoolNode("head.pool", x, "head.pool", PoolKind.Average, HeadPool(package, head.Pool!, graph, x), Size3.Cube(1), Size3.Cube(0)));
            graph.Add(new FullyConnectedNode(Logits, "head.pool", Logits, fcWeight, fcBias, head.Classes));
            graph.Add(new SoftmaxNode("head.softmax", Logits, "head.softmax"));
            graph.Add(new GlobalAveragePoolNode(Probabilities, "head.softmax", Probabilities));
        }
        graph.Output(Logits);
        graph.Output(Probabilities);
        return graph;
    }

    private static Size3 Size(int[] v) => new(v[0], v[1], v[2]);

    /// <summary>"Same" padding of an odd kernel: half of it on each side of every axis.</summary>
    private static Size3 Same(Size3 kernel) => new(kernel.T / 2, kernel.H / 2, kernel.W / 2);

    /// <summary>The width of a factorized conv's spatial half, which only its tensor tells (torchvision's midplanes formula differs per block).</summary>
    private static int MidWidth(WeightPackage package, string spatial)
    {
        var weight = $"{spatial}.weight";
        if (!package.Contains(weight))
            throw new EngineException($"{package.Path}: architecture 'factorized' is true, so conv '{spatial[..^".spatial".Length]}' needs its spatial half '{weight}', which is missing.");
        var shape = package.ShapeOf(weight);
        if (shape.Count != 5 || shape[0] <= 0)
            throw new EngineException($"{package.Path}: tensor '{weight}' has shape ({string.Join(", ", shape)}); a factorized conv's spatial half is (mid, in, 1, kh, kw).");
        return checked((int)shape[0]);
    }

    /// <summary>
    /// The fully_conv head's pool kernel for this clip: a <see cref="VideoResNetArchitecture.WholeExtent"/> axis
    /// spans res5's whole output there (video-nonlocal-net's test-time pool5 follows the clip length), so one
    /// package runs clips of any length. res5's shape is inferred from the nodes added so far.
    /// </summary>
    private static Size3 HeadPool(WeightPackage package, int[] pool, GraphBuilder graph, string res5)
    {
        var shape = graph.Specs()[res5].Shape;
        int[] extent = [shape[1], shape[2], shape[3]];
        var kernel = pool.Select((p, axis) => p == VideoResNetArchitecture.WholeExtent ? extent[axis] : p).ToArray();
        if (kernel.Where((p, axis) => p > extent[axis]).Any())
            throw new EngineException($"{package.Path}: architecture head pool [{string.Join(", ", pool)}] is larger than res5's output {extent[0]}x{extent[1]}x{extent[2]} (t x h x w) for this clip; use {VideoResNetArchitecture.WholeExtent} for an axis that follows the clip.");
        return Size(kernel);
    }
}
