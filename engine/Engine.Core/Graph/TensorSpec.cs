using Engine.Gpu;

namespace Engine.Graph;

/// <summary>
/// What shape inference knows about a named tensor. <paramref name="Shape"/> is the stored shape.
/// <paramref name="Channels"/> is set for activations in the channels-last layout (N, ..., Cp): the
/// PyTorch channel count C before padding to Cp, so a dump can give back (N, C, ...).
/// <paramref name="CountTensor"/> names the tensor holding how many rows of this one are valid when
/// the size is data-dependent (the shape is then a fixed maximum; top-k and NMS outputs).
/// </summary>
public sealed record TensorSpec(Shape Shape, DataType Type = DataType.Float32, int? Channels = null, string? CountTensor = null)
{
    /// <summary>A channels-last activation (N, T, H, W, Cp) holding C real channels.</summary>
    public static TensorSpec Activation(int n, int t, int h, int w, int channels) =>
        new(Ops.ChannelsLast.Shape(n, t, h, w, channels), DataType.Float32, channels);

    public long Bytes => Shape.ElementCount * Type.Size();

    public override string ToString() =>
        Shape + (Type == DataType.Float32 ? "" : " " + Type.NumpyName()) + (Channels is { } c && c != Shape[-1] ? $" ({c} channels)" : "")
        + (CountTensor is null ? "" : $" (valid rows in '{CountTensor}')");
}
