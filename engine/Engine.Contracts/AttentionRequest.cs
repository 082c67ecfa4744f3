namespace Engine.Contracts;

/// <summary>
/// Asks a model for the attention weights of non-local block <see cref="Block"/> (index in the
/// package's `nonlocal` list) for one query position, given as fractions of the clip's width and
/// height (0.5, 0.5 = the centre) at the middle frame of the block's input, of the first clip. The
/// position is where the map starts; the host moves it at run time (a click in the window) without
/// building the network again.
/// </summary>
public sealed record AttentionRequest(int Block, double QueryX = 0.5, double QueryY = 0.5);
