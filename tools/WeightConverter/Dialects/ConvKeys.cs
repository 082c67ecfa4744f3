namespace WeightConverter.Dialects;

/// <summary>
/// The source keys of one convolution and the normalisation after it: a BN (gamma, beta, running mean
/// and variance), an affine (gamma and beta only, as in the Caffe2 "affine" models) or none.
/// </summary>
internal sealed record ConvKeys(string Weight, string? Bias = null, string? Gamma = null, string? Beta = null, string? Mean = null, string? Var = null)
{
    /// <summary>Caffe2 blob naming: `{prefix}_s`, `_b`, `_rm`, `_riv` (running variance, despite the name).</summary>
    public static ConvKeys Caffe2(string weight, string? bias, string bn) => new(weight, bias, bn + "_s", bn + "_b", bn + "_rm", bn + "_riv");

    /// <summary>PyTorch BatchNorm naming: `{prefix}.weight`, `.bias`, `.running_mean`, `.running_var`.</summary>
    public static ConvKeys Torch(string weight, string? bias, string bn) => new(weight, bias, bn + ".weight", bn + ".bias", bn + ".running_mean", bn + ".running_var");
}
