namespace Engine.Ops.Detection;

/// <summary>The (wx, wy, ww, wh) a box coder divides its deltas by.</summary>
public readonly record struct BoxWeights(float X, float Y, float W, float H)
{
    /// <summary>The RPN's weights (1, 1, 1, 1).</summary>
    public static BoxWeights Rpn { get; } = new(1, 1, 1, 1);

    /// <summary>The box head's weights (10, 10, 5, 5).</summary>
    public static BoxWeights RoiHeads { get; } = new(10, 10, 5, 5);
}
