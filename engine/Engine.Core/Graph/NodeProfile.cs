namespace Engine.Graph;

/// <summary>GPU time of one node in the last run, with its floating-point work, dispatch count and the variant its op ran (<see cref="Ops.IOp.Variant"/>).</summary>
public sealed record NodeProfile(string Node, string Kind, int Dispatches, double Milliseconds, double Flops, string Variant = "")
{
    public double GflopsPerSecond => Milliseconds > 0 ? Flops / (Milliseconds * 1e6) : 0;
}
