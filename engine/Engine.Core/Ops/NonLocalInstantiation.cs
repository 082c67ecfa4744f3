namespace Engine.Ops;

/// <summary>The pairwise function f of a non-local block (package names in comments).</summary>
public enum NonLocalInstantiation
{
    /// <summary><c>gaussian</c>: softmax of x_i . x_j, no embedding convs.</summary>
    Gaussian,

    /// <summary><c>embedded_gaussian</c>: softmax of theta_i . phi_j, optionally over sqrt(inner).</summary>
    EmbeddedGaussian,

    /// <summary><c>dot_product</c>: theta_i . phi_j over the number of keys.</summary>
    DotProduct,

    /// <summary><c>concatenation</c>: ReLU(w^T [theta_i; phi_j]) over the number of keys.</summary>
    Concatenation,
}
