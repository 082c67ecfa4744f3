namespace WeightConverter.Dialects;

/// <summary>The source keys of one non-local block; theta and phi are absent in the Gaussian variant, the projection only in concatenation.</summary>
internal sealed record NonLocalKeys(ConvKeys Theta, ConvKeys Phi, ConvKeys G, ConvKeys Out, string? ConcatProject);
