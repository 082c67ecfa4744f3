using Engine.Gpu;

namespace Engine.Graph;

/// <summary>
/// A constant tensor a node needs, already packed into the layout its op reads (host data). The
/// compiler uploads it once; the node gets the GPU tensor back by <paramref name="Name"/>.
/// </summary>
public sealed record WeightData(string Name, Shape Shape, float[] Values)
{
    public long Bytes => Shape.ElementCount * sizeof(float);
}
