namespace Engine.Host;

/// <summary>
/// Where presented frames go: a window, a recording, snapshots, JSON lines. Called on the host's
/// frame thread once per presented frame, with the overlay image still on the display device (only
/// presenters that need the pixels on the host download them), and once per finished prediction.
/// </summary>
public interface IPresenter : IDisposable
{
    void Present(OverlayImage image, long frame);

    void Prediction(PredictionRecord record)
    {
    }

    /// <summary>True once the user asked to quit (window closed, q or Esc).</summary>
    bool QuitRequested => false;

    /// <summary>The last position the user clicked, in fractions of the frame (null if none, or no pointer).</summary>
    (double X, double Y)? LastClick => null;
}
