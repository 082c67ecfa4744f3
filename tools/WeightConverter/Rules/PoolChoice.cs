namespace WeightConverter.Rules;

/// <summary>A max-pool of the network (kernel, stride, padding as [t, h, w]; floor mode).</summary>
internal sealed record PoolChoice(int[] Kernel, int[] Stride, int[] Padding)
{
    public override string ToString() => $"kernel {Derivation.Text(Kernel)} stride {Derivation.Text(Stride)} padding {Derivation.Text(Padding)}";
}
