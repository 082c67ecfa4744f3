namespace Engine.Gpu;

/// <summary>One specialization constant: its constant_id and its 32 bits.</summary>
public readonly record struct SpecConstant(uint Id, uint Bits)
{
    public static SpecConstant Int(uint id, int value) => new(id, unchecked((uint)value));

    public static SpecConstant UInt(uint id, uint value) => new(id, value);

    public static SpecConstant Float(uint id, float value) => new(id, BitConverter.SingleToUInt32Bits(value));

    public static SpecConstant Bool(uint id, bool value) => new(id, value ? 1u : 0u);
}
