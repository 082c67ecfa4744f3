namespace Engine.Gpu;

/// <summary>
/// GPU time of one recorded dispatch, from timestamp queries. <c>Region</c> is the label current when
/// the dispatch was recorded (an op name), or the pipeline name.
/// </summary>
public sealed record DispatchTiming(string Region, string Pipeline, double Milliseconds);
