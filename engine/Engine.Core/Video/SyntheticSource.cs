using System.Diagnostics;

namespace Engine.Video;

/// <summary>The synthetic scene as a source: a thread renders frames at <see cref="Fps"/> (or as fast as the host takes them) with ground-truth labels.</summary>
public sealed class SyntheticSource : IFrameSource
{
    private readonly SyntheticScene _scene;
    private readonly bool _paced;
    private readonly SourceThread _reader = new();

    public SyntheticSource(SourceOptions options)
    {
        _scene = SyntheticScene.Random(options.Width ?? 320, options.Height ?? 240, options.Seed);
        Fps = options.Fps ?? 30;
        _paced = !options.AsFastAsPossible;
        Name = $"synthetic:{options.Seed}";
        Frames = new FrameRing(_scene.Width, _scene.Height);
    }

    public SyntheticScene Scene => _scene;

    public string Name { get; }

    public int Width => _scene.Width;

    public int Height => _scene.Height;

    public double Fps { get; }

    public FrameRing Frames { get; }

    /// <summary>Connecting until the first frame is rendered, then live until stopped; it never dies.</summary>
    public SourceState State => _reader.State;

    public int Reconnects => 0;

    public string? LastFailure => null;

    public void Start()
    {
        _reader.Start(Name, Run);
    }

    private void Run()
    {
        var start = Stopwatch.GetTimestamp();
        for (long n = 0; !_reader.IsStopping; n++)
        {
            if (_paced)
            {
                var due = start + (long)(n / Fps * Stopwatch.Frequency);
                var wait = due - Stopwatch.GetTimestamp();
                if (wait > 0)
                    _reader.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
            }
            else
            {
                Frames.WaitUntilTaken(_reader.Token);
            }
            if (_reader.IsStopping)
                break;
            var frame = Frames.Rent();
            _scene.Render(n, frame.Pixels);
            _reader.State = SourceState.Live;
            Frames.Publish(frame, _scene.EventAt(n).Action.Label());
        }
        Frames.Complete();
        _reader.State = SourceState.Ended;
    }

    public void Dispose() => _reader.Dispose();
}
