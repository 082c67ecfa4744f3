namespace Engine.Tuning;

/// <summary>One shape the tuner measured: its key, the nodes of the graph that have it (the first named) and the result.</summary>
public sealed record TunedShape(string Key, string FirstNode, int Nodes, TuningEntry Entry);
