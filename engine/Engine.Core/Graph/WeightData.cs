using Engine.Gpu;

namespace Engine.Graph;

/// <summary>
/// A constant tensor a node needs, already packed into the layout its op reads (host data). The
/// compiler uploads it once; the node gets the GPU tensor back by <paramref name="Name"/>.
/// <paramref name="AcceptsFloat16"/>: the op reads it through a kernel with a half-precision build
/// (shaders/gemm.comp's B, shaders/ops/conv.comp's weights), so it is stored as fp16 when the graph
/// compiles with <see cref="CompileOptions.WeightStorage"/> Float16.
/// </summary>
public sealed record WeightData(string Name, Shape Shape, float[] Values, bool AcceptsFloat16 = false)
{
    /// <summary>The element type it is stored as under <paramref name="options"/>.</summary>
    public DataType StorageType(CompileOptions options) =>
        AcceptsFloat16 && options.WeightStorage == DataType.Float16 ? DataType.Float16 : DataType.Float32;

    /// <summary>The bytes it takes on the device under <paramref name="options"/>.</summary>
    public long Bytes(CompileOptions options) => Shape.ElementCount * StorageType(options).Size();
}
