using System.Runtime.CompilerServices;

namespace Engine.Ops;

/// <summary>A GLSL int[6] in a push-constant block (std430: 24 bytes), leading entries first.</summary>
[InlineArray(6)]
public struct Int6
{
    private int _element;

    /// <summary>Right-aligned values: rank-r <paramref name="values"/> fill the last r entries, the rest are <paramref name="fill"/>.</summary>
    public static Int6 RightAligned(ReadOnlySpan<long> values, int fill)
    {
        if (values.Length > 6)
            throw new EngineException($"Rank {values.Length} exceeds the 6 axes strided copies support.");
        var result = default(Int6);
        for (var i = 0; i < 6; i++)
        {
            var j = i - (6 - values.Length);
            result[i] = j >= 0 ? checked((int)values[j]) : fill;
        }
        return result;
    }
}
