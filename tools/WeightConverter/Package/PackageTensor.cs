namespace WeightConverter.Package;

/// <summary>One tensor of the weight package: canonical name, PyTorch-layout shape, and how to compute its float32 values (on demand, so a large conversion holds one tensor at a time).</summary>
internal sealed record PackageTensor(string Name, long[] Shape, Func<float[]> Values)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}
