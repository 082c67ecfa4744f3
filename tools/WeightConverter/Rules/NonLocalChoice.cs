namespace WeightConverter.Rules;

/// <summary>How one stage's non-local blocks compute (package `nonlocal` entry fields other than the placement and widths).</summary>
/// <param name="Instantiation">gaussian, embedded_gaussian, dot_product or concatenation.</param>
/// <param name="Scale">Divide embedded-Gaussian logits by sqrt(inner).</param>
/// <param name="Subsample">none, pool_then_conv or conv_then_pool.</param>
/// <param name="Pool">The max-pool kernel = stride on keys and values, [t, h, w].</param>
/// <param name="Group">Frames per temporal group (0: the whole clip).</param>
internal sealed record NonLocalChoice(string Instantiation, bool Scale, string Subsample, int[] Pool, int Group);
