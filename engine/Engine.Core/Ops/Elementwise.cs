using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// Elementwise ops on fp32 tensors whose element counts are multiples of 4 (every channels-last
/// activation is), one texel per invocation (shaders/ops/elementwise.comp): add, mul, scale
/// (a * alpha + beta), ReLU, sigmoid and per-channel affine, each optionally followed by ReLU.
/// The second and third operands broadcast by repetition, so a per-channel vector applies to every
/// pixel of a channels-last tensor. The output may be the first input (in place).
/// </summary>
public sealed class Elementwise : IOp
{
    private const int LocalSize = 64;
    private const int AddOp = 0, MulOp = 1, ScaleOp = 2, ReluOp = 3, SigmoidOp = 4, AffineOp = 5;

    private readonly List<Action<CommandList>> _dispatches = [];

    private Elementwise(Device device, int op, Tensor a, Tensor? b, Tensor? c, Tensor output, float alpha, float beta, bool relu, string name,
        ulong? maxChunkBytes = null)
    {
        Name = name;
        if (a.ElementCount % 4 != 0 || output.Shape != a.Shape)
            throw new EngineException($"{name}: input {a.Shape} and output {output.Shape} must have the same shape, with a multiple of 4 elements.");
        foreach (var t in new[] { a, b, c, output })
        {
            if (t is not null && (!t.IsContiguous || t.Type != DataType.Float32))
                throw new EngineException($"{name}: {t} must be a contiguous float32 tensor.");
        }
        foreach (var t in new[] { b, c })
        {
            if (t is not null && (t.ElementCount == 0 || t.ElementCount % 4 != 0 || a.ElementCount % t.ElementCount != 0))
                throw new EngineException($"{name}: operand {t.Shape} must repeat a whole number of times over {a.Shape} in groups of 4 elements.");
        }
        var n4 = a.ElementCount / 4;
        var (bb, cc) = (b ?? a, c ?? a);
        var pipeline = device.Pipeline("ops/elementwise", SpecConstant.UInt(0, (uint)op), SpecConstant.Bool(1, relu));
        var limits = device.Limits;
        var texels = output.Reshape(new Shape(checked((int)n4), 4));
        foreach (var (start, count) in RowChunks.Split(n4, maxChunkBytes ?? limits.maxStorageBufferRange, limits.minStorageBufferOffsetAlignment, 16))
        {
            var view = RowChunks.View(texels, start, count, 4);
            var push = new Push((uint)start, (uint)count, (uint)(bb.ElementCount / 4), (uint)(cc.ElementCount / 4), alpha, beta);
            var groups = StridedCopy.FlatGrid(device, Groups.Cover(count, LocalSize));
            _dispatches.Add(list => list.Dispatch(pipeline, groups, push, a, bb, cc, view));
        }
        Flops = a.ElementCount * (op == AffineOp ? 2.0 : 1.0);
    }

    public string Name { get; }

    public double Flops { get; }

    public static Elementwise Add(Device device, Tensor a, Tensor b, Tensor output, bool relu = false, string name = "add") =>
        new(device, AddOp, a, b, null, output, 0, 0, relu, name);

    public static Elementwise Mul(Device device, Tensor a, Tensor b, Tensor output, bool relu = false, string name = "mul") =>
        new(device, MulOp, a, b, null, output, 0, 0, relu, name);

    /// <summary>a * alpha + beta.</summary>
    public static Elementwise Scale(Device device, Tensor a, Tensor output, float alpha, float beta = 0, bool relu = false, string name = "scale") =>
        new(device, ScaleOp, a, null, null, output, alpha, beta, relu, name);

    public static Elementwise Relu(Device device, Tensor a, Tensor output, string name = "relu") =>
        new(device, ReluOp, a, null, null, output, 0, 0, false, name);

    public static Elementwise Sigmoid(Device device, Tensor a, Tensor output, string name = "sigmoid") =>
        new(device, SigmoidOp, a, null, null, output, 0, 0, false, name);

    /// <summary>a * scale + bias with per-channel (repeating) scale and bias, e.g. a BN that could not be folded.</summary>
    public static Elementwise Affine(Device device, Tensor a, Tensor scale, Tensor bias, Tensor output, bool relu = false, string name = "affine") =>
        new(device, AffineOp, a, scale, bias, output, 0, 0, relu, name);

    /// <summary>Dispatches per run (more than one when the output is chunked).</summary>
    public int DispatchCount => _dispatches.Count;

    /// <summary>An add whose output is written in chunks of at most <paramref name="maxChunkBytes"/> (tests of the chunked path).</summary>
    internal static Elementwise Add(Device device, Tensor a, Tensor b, Tensor output, ulong maxChunkBytes) =>
        new(device, AddOp, a, b, null, output, 0, 0, false, "add", maxChunkBytes);

    public void Record(CommandList list)
    {
        foreach (var dispatch in _dispatches)
            dispatch(list);
    }

    private readonly record struct Push(uint First4, uint N4, uint PeriodB4, uint PeriodC4, float Alpha, float Beta);
}
