namespace WeightConverter.Pickle;

/// <summary>Equality of Python values used as dict keys: strings and integers by value, tuples element-wise, anything else by reference.</summary>
internal sealed class PyKeyComparer : IEqualityComparer<object>
{
    public static readonly PyKeyComparer Instance = new();

    public new bool Equals(object? x, object? y) => (x, y) switch
    {
        (object?[] a, object?[] b) => a.Length == b.Length && a.Zip(b).All(p => p.First is null ? p.Second is null : p.Second is not null && Equals(p.First, p.Second)),
        (string or long or bool or double or System.Numerics.BigInteger, _) => x.Equals(y),
        _ => ReferenceEquals(x, y),
    };

    public int GetHashCode(object obj) => obj switch
    {
        object?[] t => t.Length,
        string or long or bool or double or System.Numerics.BigInteger => obj.GetHashCode(),
        _ => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj),
    };
}
