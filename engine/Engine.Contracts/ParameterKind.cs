namespace Engine.Contracts;

public enum ParameterKind
{
    Int,
    Float,
    Bool,
    /// <summary>One of <see cref="ParameterSpec.Choices"/>.</summary>
    Choice,

    /// <summary>Free text on one line (API 1.1), e.g. a list of class names.</summary>
    Text,
}
