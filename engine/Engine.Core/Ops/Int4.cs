namespace Engine.Ops;

/// <summary>A GLSL ivec4/uvec4 in a push-constant block (16 bytes, 16-byte aligned in the block).</summary>
public readonly record struct Int4(int X, int Y = 0, int Z = 0, int W = 0)
{
    public static Int4 Of(Size3 size, int w = 0) => new(size.T, size.H, size.W, w);
}
