namespace Engine.Services.Http;

/// <summary>A stream's view at one frame, encoded as PNG.</summary>
internal sealed record EncodedView(long Frame, byte[] Png);
