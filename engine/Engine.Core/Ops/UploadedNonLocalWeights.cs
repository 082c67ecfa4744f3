using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// A non-local block's packed weights (<see cref="NonLocalWeights.Pack"/>) in tensors of their own,
/// for a block run outside a graph (its tests, `engine bench nonlocal`); in a graph they live in the
/// weight arena instead. Disposing frees the tensors.
/// </summary>
public sealed class UploadedNonLocalWeights : IDisposable
{
    private readonly IReadOnlyList<Tensor> _tensors;

    public UploadedNonLocalWeights(Device device, NonLocalOptions options, int channels, Func<string, float[]> read, string name = "nonlocal")
    {
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (weight, shape, values) in NonLocalWeights.Pack(options, channels, read, name))
                tensors[weight] = device.CreateTensor<float>($"{name}.{weight}", shape, values);
            Weights = NonLocalWeights.Bind(options, channels, tensors.GetValueOrDefault);
        }
        catch
        {
            foreach (var t in tensors.Values)
                t.Dispose();
            throw;
        }
        _tensors = [.. tensors.Values];
    }

    public NonLocalWeights Weights { get; }

    public void Dispose()
    {
        foreach (var t in _tensors)
            t.Dispose();
    }
}
