namespace Engine.Ops;

/// <summary>What followed the out conv in the source model; the package folds BN and affine into it, so all three run alike.</summary>
public enum NonLocalOutput
{
    /// <summary><c>bn</c>: batch norm, folded.</summary>
    BatchNorm,

    /// <summary><c>affine</c>: per-channel scale and bias, folded.</summary>
    Affine,

    /// <summary><c>none</c>: the out conv alone.</summary>
    None,
}
