namespace Engine.Video;

/// <summary>
/// The input half of an ffmpeg command line for one source: options before `-i`, the URL or path,
/// and whether it is a file (ends; can be resumed at a time) or live (camera, network: reconnect).
/// </summary>
public sealed record FfmpegInput(string Name, IReadOnlyList<string> InputArgs, string Url, bool IsFile);
