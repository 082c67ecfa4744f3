namespace Engine.Video;

/// <summary>
/// The one thread a source reads on, with its stop signal and the source's <see cref="SourceState"/>
/// (written by that thread, read by any): started once, and on dispose stopped and joined, so no frame
/// arrives after a source is gone.
/// </summary>
internal sealed class SourceThread : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Thread? _thread;
    private bool _disposed;
    private int _state = (int)SourceState.Connecting;

    public CancellationToken Token => _stop.Token;

    public bool IsStopping => _stop.IsCancellationRequested;

    public SourceState State
    {
        get => (SourceState)Volatile.Read(ref _state);
        set => Volatile.Write(ref _state, (int)value);
    }

    public void Start(string name, ThreadStart run)
    {
        _thread = new Thread(run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _stop.Cancel();
        _thread?.Join();
        _stop.Dispose();
        State = SourceState.Ended;
    }
}
