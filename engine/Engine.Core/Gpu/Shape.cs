namespace Engine.Gpu;

/// <summary>An immutable tensor shape, outermost dimension first, e.g. (N, C, T, H, W).</summary>
public sealed class Shape : IEquatable<Shape>
{
    private readonly int[] _dims;

    public Shape(params ReadOnlySpan<int> dims)
    {
        foreach (var d in dims)
        {
            if (d < 0)
                throw new EngineException($"Shape ({string.Join(", ", dims.ToArray())}) has a negative dimension.");
        }
        _dims = dims.ToArray();
    }

    public int Rank => _dims.Length;

    public int this[int axis] => _dims[axis < 0 ? axis + _dims.Length : axis];

    public ReadOnlySpan<int> Dims => _dims;

    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (var d in _dims)
                n *= d;
            return n;
        }
    }

    /// <summary>Row-major (C order) strides in elements.</summary>
    public long[] ContiguousStrides()
    {
        var strides = new long[_dims.Length];
        long s = 1;
        for (var i = _dims.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= _dims[i];
        }
        return strides;
    }

    public bool Equals(Shape? other) => other is not null && _dims.AsSpan().SequenceEqual(other._dims);

    public override bool Equals(object? obj) => Equals(obj as Shape);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var d in _dims)
            hash.Add(d);
        return hash.ToHashCode();
    }

    public override string ToString() => "(" + string.Join(", ", _dims) + ")";

    public static bool operator ==(Shape? a, Shape? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(Shape? a, Shape? b) => !(a == b);
}
