namespace Engine.Contracts;

/// <summary>
/// How pixels become network input: x = (pixel / 255 * Scale - Mean[c]) / Std[c] per channel,
/// with R and B swapped first when <see cref="Bgr"/> (the weight package's `normalization`).
/// </summary>
public sealed record Normalization(double Scale, IReadOnlyList<double> Mean, IReadOnlyList<double> Std, bool Bgr = false)
{
    /// <summary>ImageNet statistics on 0..1 RGB, the torchvision convention.</summary>
    public static Normalization ImageNet { get; } = new(1.0, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]);
}
