namespace WeightConverter.Dialects;

/// <summary>A non-local block found in the weights.</summary>
/// <param name="Stage">Its stage (3 = res3).</param>
/// <param name="Block">The block it follows.</param>
/// <param name="Keys">Its source keys.</param>
/// <param name="Embedded">Theta and phi convs exist (every variant but Gaussian).</param>
/// <param name="Concatenation">A concat projection exists.</param>
/// <param name="Output">What follows the out conv: bn, affine or none.</param>
internal sealed record NonLocalSite(int Stage, int Block, NonLocalKeys Keys, bool Embedded, bool Concatenation, string Output)
{
    /// <summary>The variant the tensors alone imply, or null where embedded Gaussian and dot product look the same.</summary>
    public string? ImpliedInstantiation => !Embedded ? "gaussian" : Concatenation ? "concatenation" : null;
}
