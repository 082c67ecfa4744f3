namespace Engine.Graph;

/// <summary>GPU time of one node in the last run, with its floating-point work and dispatch count.</summary>
public sealed record NodeProfile(string Node, string Kind, int Dispatches, double Milliseconds, double Flops)
{
    public double GflopsPerSecond => Milliseconds > 0 ? Flops / (Milliseconds * 1e6) : 0;
}
