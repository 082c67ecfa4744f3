namespace Engine.Contracts;

/// <summary>
/// One finished run of a network: the outputs it marked, the number of the newest frame in its clip,
/// and where each crop of the batch lies in the frame (fractions x0, y0, x1, y1), so boxes and heat
/// maps can be placed on the frame.
/// </summary>
public sealed record NetworkResult(long Frame, IReadOnlyDictionary<string, OutputTensor> Outputs, IReadOnlyList<RegionF> Crops);
