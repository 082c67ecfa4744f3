using System.Numerics;

namespace WeightConverter.Pickle;

/// <summary>
/// Equality of Python values used as dict keys: strings and integers by value, tuples element-wise,
/// anything else by reference. Tuples hash by their elements so many tuple keys stay cheap, and nesting
/// deeper than any checkpoint uses is refused rather than recursed into.
/// </summary>
internal sealed class PyKeyComparer : IEqualityComparer<object>
{
    private const int MaxDepth = 32;

    public static readonly PyKeyComparer Instance = new();

    public new bool Equals(object? x, object? y) => Equal(x, y, 0);

    public int GetHashCode(object obj) => Hash(obj, 0);

    private static bool Equal(object? x, object? y, int depth)
    {
        if (depth > MaxDepth)
            throw new InvalidDataException($"dict key nested more than {MaxDepth} tuples deep");
        return (x, y) switch
        {
            (null, null) => true,
            (object?[] a, object?[] b) => a.Length == b.Length && a.Zip(b).All(p => Equal(p.First, p.Second, depth + 1)),
            (string or long or bool or double or BigInteger, _) => x.Equals(y),
            _ => ReferenceEquals(x, y),
        };
    }

    private static int Hash(object? value, int depth)
    {
        if (depth > MaxDepth)
            throw new InvalidDataException($"dict key nested more than {MaxDepth} tuples deep");
        return value switch
        {
            null => 0,
            object?[] t => t.Aggregate(t.Length, (h, e) => HashCode.Combine(h, Hash(e, depth + 1))),
            string or long or bool or double or BigInteger => value.GetHashCode(),
            _ => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(value),
        };
    }
}
