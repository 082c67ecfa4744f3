using System.Diagnostics;

namespace Engine.Video;

/// <summary>
/// "Latest frame wins" between a source's reader thread and the host: a fixed set of frame buffers
/// (3: one being written, one waiting, one held by the host). Publishing a frame while an older one
/// is still waiting drops the older one, so the host always gets the newest frame and nothing queues.
/// </summary>
public sealed class FrameRing
{
    private readonly object _lock = new();
    private readonly Stack<Frame> _free = new();
    private Frame? _waiting;
    private long _nextNumber;
    private bool _completed;

    public FrameRing(int width, int height, int buffers = 3)
    {
        if (buffers < 2)
            throw new EngineException($"A frame ring needs at least 2 buffers, {buffers} given.");
        Width = width;
        Height = height;
        for (var i = 0; i < buffers; i++)
            _free.Push(new Frame(width, height));
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Frames published but replaced by a newer one before the host took them.</summary>
    public long Dropped { get; private set; }

    public long Published { get; private set; }

    /// <summary>Set whenever a frame is published or the source ends: a host serving several rings sleeps on one handle.</summary>
    public EventWaitHandle? Arrivals { get; set; }

    public bool IsCompleted
    {
        get
        {
            lock (_lock)
                return _completed && _waiting is null;
        }
    }

    /// <summary>Producer: a buffer to fill. When none is free the waiting frame is dropped and reused.</summary>
    public Frame Rent()
    {
        lock (_lock)
        {
            if (_free.Count > 0)
                return _free.Pop();
            if (_waiting is not null)
            {
                var stolen = _waiting;
                _waiting = null;
                Dropped++;
                return stolen;
            }
            // Only reachable if the host holds more than one frame; grow rather than deadlock.
            return new Frame(Width, Height);
        }
    }

    /// <summary>Producer: makes <paramref name="frame"/> the newest, stamping its number and arrival time.</summary>
    public void Publish(Frame frame, string? label = null)
    {
        lock (_lock)
        {
            frame.Number = _nextNumber++;
            frame.CaptureTicks = Stopwatch.GetTimestamp();
            frame.Label = label;
            if (_waiting is not null)
            {
                _free.Push(_waiting);
                Dropped++;
            }
            _waiting = frame;
            Published++;
            Monitor.PulseAll(_lock);
        }
        Arrivals?.Set();
    }

    /// <summary>
    /// Producer: blocks until the host has taken the waiting frame (or the wait is cancelled). Unpaced
    /// sources (files read as fast as possible, the synthetic scene) call it before each publish, so
    /// they run at the host's speed and lose no frame.
    /// </summary>
    public void WaitUntilTaken(CancellationToken cancel)
    {
        using var registration = cancel.Register(() =>
        {
            lock (_lock)
                Monitor.PulseAll(_lock);
        });
        lock (_lock)
        {
            while (_waiting is not null && !cancel.IsCancellationRequested)
                Monitor.Wait(_lock);
        }
    }

    /// <summary>Producer: gives back a buffer it rented but did not fill.</summary>
    public void Return(Frame frame)
    {
        lock (_lock)
            _free.Push(frame);
    }

    /// <summary>Producer: the source has ended; <see cref="Take"/> returns null once the last frame is taken.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            _completed = true;
            Monitor.PulseAll(_lock);
        }
        Arrivals?.Set();
    }

    /// <summary>Host: the newest frame, waiting up to <paramref name="timeout"/>; null on timeout or end. Give it back with <see cref="Release"/>.</summary>
    public Frame? Take(TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        lock (_lock)
        {
            while (_waiting is null && !_completed)
            {
                var left = deadline - Stopwatch.GetTimestamp();
                if (left <= 0)
                    return null;
                Monitor.Wait(_lock, TimeSpan.FromSeconds((double)left / Stopwatch.Frequency));
            }
            var frame = _waiting;
            _waiting = null;
            Monitor.PulseAll(_lock);
            return frame;
        }
    }

    /// <summary>Host: returns a taken frame's buffer.</summary>
    public void Release(Frame frame)
    {
        lock (_lock)
            _free.Push(frame);
    }
}
