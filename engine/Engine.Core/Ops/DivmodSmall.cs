namespace Engine.Ops;

/// <summary>
/// The bound of divmod_small (shaders/include/index.glsl, DIVMOD_SMALL_LIMIT): kernels that split
/// indices with it are given only dividends below <see cref="Limit"/>.
/// </summary>
public static class DivmodSmall
{
    public const long Limit = 1 << 21;
}
