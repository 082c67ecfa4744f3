namespace Engine.Contracts;

/// <summary>
/// What <see cref="INetworkBuilder.Model"/> adds: the class logits and the class probabilities, each
/// (N, Cp) with the classes first and Cp the class count rounded up to a multiple of 4 (for a fully
/// convolutional head the logits are per position, (N, T', H', W', Cp), and the probabilities their
/// mean); and when asked, the attention map of one non-local block for the query position
/// (1, T', H', W') on the block's key grid (softmax instantiations sum to 1 over it).
/// </summary>
public sealed record ModelOutputs(NetworkTensor Logits, NetworkTensor Probabilities, NetworkTensor? Attention);
