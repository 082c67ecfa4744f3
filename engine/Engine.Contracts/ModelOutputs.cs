namespace Engine.Contracts;

/// <summary>
/// What <see cref="INetworkBuilder.Model"/> adds: the class logits (N, classes), and when asked,
/// the attention map of one non-local block for the query position (N, T', H', W') on the block's
/// key grid, weights summing to 1 over the grid.
/// </summary>
public sealed record ModelOutputs(NetworkTensor Logits, NetworkTensor? Attention);
