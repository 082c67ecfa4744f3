using Engine.Gpu;
using Engine.Ops;

namespace Engine.Graph.Nodes;

/// <summary>
/// A clip as PyTorch holds it, (N, C, T, H, W), to the channels-last (N, T, H, W, Cp) every op reads,
/// on the GPU. Long clips are converted a few frames per dispatch: on lavapipe (Mesa 22.3) a strided
/// copy of more than one row of a 65535-workgroup grid left later elements unwritten (found with a
/// 128-frame clip), so each dispatch stays within <see cref="MaxElementsPerDispatch"/>.
/// </summary>
public sealed class InputLayoutNode(string name, string input, string output) : Node(name, [input], [output])
{
    /// <summary>65535 workgroups of 64 invocations, one element each.</summary>
    public const long MaxElementsPerDispatch = 65535L * 64;

    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        var x = inputs[0];
        if (x.Shape.Rank != 5 || x.Channels is not null)
            throw ShapeError(inputs, "expected a (N, C, T, H, W) tensor in PyTorch layout");
        return [TensorSpec.Activation(x.Shape[0], x.Shape[2], x.Shape[3], x.Shape[4], x.Shape[1])];
    }

    public override IOp CreateOp(Device device, NodeTensors tensors)
    {
        var (x, y) = (tensors.Inputs[0], tensors.Outputs[0]);
        var (n, c, t, h, w) = (x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], x.Shape[4]);
        var cp = y.Shape[4];
        if (y.ElementCount <= MaxElementsPerDispatch)
            return Permute.ToChannelsLast(device, x, y, Name);
        var limits = device.Limits;
        var alignment = Math.Max(limits.minStorageBufferOffsetAlignment, limits.minTexelBufferOffsetAlignment);
        var frameBytes = (long)h * w * sizeof(float);
        var parts = new List<IOp>();
        for (var b = 0; b < n; b++)
        {
            // Frame chunks whose starts are bindable in both the input (one channel plane) and the output.
            foreach (var (t0, frames) in RowChunks.Split(t, (ulong)(MaxElementsPerDispatch * sizeof(float)), alignment, frameBytes * cp, frameBytes))
            {
                var source = new Tensor(x.Buffer, x.ByteOffset + (ulong)(((long)b * c * t + t0) * frameBytes), new Shape(1, c, (int)frames, h, w),
                    DataType.Float32, $"{x.Name}[{b}, :, {t0}:{t0 + frames}]", [(long)c * t * h * w, (long)t * h * w, (long)h * w, w, 1]);
                var target = new Tensor(y.Buffer, y.ByteOffset + (ulong)(((long)b * t + t0) * frameBytes * cp), new Shape(1, (int)frames, h, w, cp),
                    DataType.Float32, $"{y.Name}[{b}, {t0}:{t0 + frames}]");
                parts.Add(Permute.ToChannelsLast(device, source, target, Name));
            }
        }
        return new Sequence(Name, parts);
    }

    private sealed class Sequence(string name, IReadOnlyList<IOp> parts) : IOp
    {
        public string Name => name;

        public double Flops => 0;

        public void Record(CommandList list)
        {
            foreach (var part in parts)
                part.Record(list);
        }
    }
}
