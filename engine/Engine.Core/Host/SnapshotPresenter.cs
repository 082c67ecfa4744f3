using System.Globalization;

namespace Engine.Host;

/// <summary>`--snapshot-every N`: every N-th presented frame downloaded and saved as DIR/frame-NNNNNN.png (N = the source frame number); the others are not read back.</summary>
public sealed class SnapshotPresenter : IPresenter
{
    private readonly string _directory;
    private readonly int _every;
    private long _count;

    public SnapshotPresenter(string directory, int every)
    {
        if (every < 1)
            throw new EngineException($"--snapshot-every {every}: must be at least 1.");
        _directory = directory;
        _every = every;
        Directory.CreateDirectory(directory);
    }

    public void Present(OverlayImage image, long frame)
    {
        if (_count++ % _every == 0)
            PngWriter.WriteBgra(Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"frame-{frame:000000}.png")), image.Download(), image.Width, image.Height);
    }

    public void Dispose()
    {
    }
}
