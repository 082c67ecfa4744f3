using Engine.Gpu;

namespace Engine.Ops;

/// <summary>Copies a contiguous tensor into another of the same size (a transfer, not a dispatch).</summary>
public sealed class TensorCopy(Tensor source, Tensor destination, string name = "copy") : IOp
{
    public string Name { get; } = name;

    public double Flops => 0;

    public void Record(CommandList list) => list.Copy(source, destination);
}
