namespace Engine.Contracts;

public enum ParameterKind
{
    Int,
    Float,
    Bool,
    /// <summary>One of <see cref="ParameterSpec.Choices"/>.</summary>
    Choice,
}
