using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// A 2D transposed convolution (PyTorch ConvTranspose2d, dilation 1, one group) over channels-last
/// activations (N, 1, H, W, Cp), with bias and ReLU fused. Two steps: a <see cref="Gemm"/> of the input
/// pixels by the packed weights (<see cref="ConvTransposeSpec.PackWeights"/>) writes every pixel's
/// contribution to each kernel tap into the scratch, then shaders/ops/col2im.comp sums, for every
/// output pixel, the taps that land on it. The GEMM carries all the arithmetic at full speed for any
/// kernel and stride; for the mask head's 2x2 stride-2 case every output pixel takes exactly one tap.
/// GEMM rows and output rows are chunked to fit one storage-buffer binding.
/// </summary>
public sealed class ConvTranspose : IOp
{
    private const int LocalSize = 8;

    private readonly List<Action<CommandList>> _dispatches = [];

    public ConvTranspose(Device device, ConvTransposeSpec spec, Tensor input, Tensor weight, Tensor output, Tensor scratch, Tensor bias,
        bool relu = false, string name = "conv_transpose")
        : this(device, spec, input, weight, output, scratch, bias, relu, name, device.Limits.maxStorageBufferRange)
    {
    }

    /// <summary>As the public constructor, with the chunk size forced (tests of the chunked path).</summary>
    internal ConvTranspose(Device device, ConvTransposeSpec spec, Tensor input, Tensor weight, Tensor output, Tensor scratch, Tensor bias,
        bool relu, string name, ulong maxChunkBytes)
    {
        Name = name;
        ChannelsLast.Require($"{name} ({spec})", "input", input);
        ChannelsLast.Require($"{name} ({spec})", "output", output);
        var (n, h, w, cin) = (input.Shape[0], input.Shape[2], input.Shape[3], input.Shape[4]);
        if (input.Shape[1] != 1 || cin != ChannelsLast.Padded(spec.InChannels))
            throw new EngineException($"{name} ({spec}): input {input.Shape} must be (N, 1, H, W, {ChannelsLast.Padded(spec.InChannels)}).");
        var (ho, wo) = spec.OutputSize(h, w);
        var coutp = ChannelsLast.Padded(spec.OutChannels);
        var expected = new Shape(n, 1, ho, wo, coutp);
        if (output.Shape != expected)
            throw new EngineException($"{name} ({spec}): input {input.Shape} gives output {expected}, not {output.Shape}.");
        if (weight.Shape != spec.PackedWeightShape || !weight.IsContiguous)
            throw new EngineException($"{name} ({spec}): packed weight {weight.Shape} must be {spec.PackedWeightShape} (see ConvTransposeSpec.PackWeights).");
        if (bias.ElementCount != coutp)
            throw new EngineException($"{name} ({spec}): bias {bias.Shape} must have {coutp} elements.");
        var inPixels = (long)n * h * w;
        var colsWidth = spec.Taps * coutp;
        var colsBytes = (ulong)(inPixels * colsWidth * sizeof(float));
        if (scratch.ByteExtent < colsBytes)
            throw new EngineException($"{name} ({spec}): scratch {scratch.Shape} is smaller than the {inPixels}x{colsWidth} tap matrix (see ScratchBytes).");
        if (inPixels * colsWidth / 4 > device.Limits.maxTexelBufferElements)
            throw new EngineException($"{name} ({spec}): the tap matrix of {inPixels}x{colsWidth} exceeds one texel buffer of {device.Limits.maxTexelBufferElements} texels.");
        Flops = spec.Flops(inPixels);

        var limits = device.Limits;
        var alignment = device.BindingAlignment;
        var cols = new Tensor(scratch.Buffer, scratch.ByteOffset, new Shape(checked((int)inPixels), colsWidth), DataType.Float32, $"{name} taps");
        var inRows = input.Reshape(new Shape(checked((int)inPixels), cin));
        foreach (var (start, count) in RowChunks.Split(inPixels, maxChunkBytes, alignment, (long)colsWidth * sizeof(float), (long)cin * sizeof(float)))
        {
            var gemm = new Gemm(device, RowChunks.View(inRows, start, count, cin), weight, RowChunks.View(cols, start, count, colsWidth), name: $"{name}.gemm");
            _dispatches.Add(gemm.Record);
        }

        var pipeline = device.Pipeline("ops/col2im", SpecConstant.Bool(0, relu));
        var outPixels = (long)n * ho * wo;
        var outRows = output.Reshape(new Shape(checked((int)outPixels), coutp));
        foreach (var (start, count) in RowChunks.Split(outPixels, maxChunkBytes, alignment, (long)coutp * sizeof(float)))
        {
            var view = RowChunks.View(outRows, start, count, coutp);
            var push = new Push(new Int4(h, w, 0, coutp / 4), new Int4(ho, wo, 0, 0), new Int4(spec.Kernel.H, spec.Kernel.W, spec.Stride.H, spec.Stride.W),
                new Int4(spec.Padding.H, spec.Padding.W, 0, 0), (uint)start, (uint)count);
            var groups = RowGrid.Of(device, Groups.Cover((uint)(coutp / 4), LocalSize), (uint)count);
            _dispatches.Add(list => list.Dispatch(pipeline, groups, push, cols, bias, view));
        }
    }

    /// <summary>Bytes of scratch (the tap matrix) for an input of <paramref name="inputPixels"/> pixels.</summary>
    public static long ScratchBytes(ConvTransposeSpec spec, long inputPixels) => inputPixels * spec.Taps * ChannelsLast.Padded(spec.OutChannels) * sizeof(float);

    public string Name { get; }

    public double Flops { get; }

    /// <summary>Dispatches per run (GEMM and gather chunks).</summary>
    public int DispatchCount => _dispatches.Count;

    public void Record(CommandList list)
    {
        foreach (var dispatch in _dispatches)
            dispatch(list);
    }

    private readonly record struct Push(Int4 InDims, Int4 OutDims, Int4 Kernel, Int4 Padding, uint Row0, uint Rows);
}
