namespace WeightConverter.Containers;

/// <summary>
/// An opened checkpoint file: the container it came in and the unpickled root object (dicts, lists,
/// tensors, inert placeholders for refused globals). Tensor bytes are read lazily from the file, so
/// the checkpoint stays open until disposed.
/// </summary>
internal sealed class Checkpoint(string path, string container, object? root, long fileLength, IDisposable? resources) : IDisposable
{
    public string Path { get; } = path;

    /// <summary>`torch.save zip`, `torch.save legacy`, `pickle` or `safetensors`.</summary>
    public string Container { get; } = container;

    public object? Root { get; } = root;

    public long FileLength { get; } = fileLength;

    /// <summary>Metadata of a safetensors input, empty otherwise.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    public void Dispose() => resources?.Dispose();
}
