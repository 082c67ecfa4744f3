namespace Engine.Host;

/// <summary>
/// The newest <see cref="Capacity"/> values of a measurement (a prediction's latency, its overhead)
/// and their percentiles. A host runs for days: its memory must not grow with the predictions it has
/// made, so old values fall out, and percentiles describe the recent past, as a HUD or an API should.
/// The percentiles are sorted once per added value (a prediction), not per read (every frame reads them).
/// </summary>
public sealed class RollingWindow
{
    private readonly double[] _values;
    private readonly double[] _sorted;
    private int _count;
    private int _next;

    public RollingWindow(int capacity = 1000)
    {
        if (capacity < 1)
            throw new EngineException($"A rolling window needs a capacity of at least 1, {capacity} given.");
        _values = new double[capacity];
        _sorted = new double[capacity];
    }

    public int Capacity => _values.Length;

    /// <summary>Values held (at most <see cref="Capacity"/>).</summary>
    public int Count => _count;

    public (double P50, double P95) Percentiles { get; private set; }

    public void Add(double value)
    {
        _values[_next] = value;
        _next = (_next + 1) % _values.Length;
        _count = Math.Min(_count + 1, _values.Length);
        var sorted = _sorted.AsSpan(0, _count);
        _values.AsSpan(0, _count).CopyTo(sorted);
        sorted.Sort();
        Percentiles = (sorted[(int)Math.Round(0.5 * (_count - 1))], sorted[(int)Math.Round(0.95 * (_count - 1))]);
    }
}
