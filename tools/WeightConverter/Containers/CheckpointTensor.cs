namespace WeightConverter.Containers;

/// <summary>
/// A tensor of a checkpoint as its file describes it: a strided view (element offset, shape, strides)
/// into a <see cref="TensorStorage"/>. The constructor proves the view stays inside the storage, so
/// reading can never run past the data a file actually holds.
/// </summary>
internal sealed class CheckpointTensor
{
    public CheckpointTensor(TensorStorage storage, long offset, long[] shape, long[]? strides = null)
    {
        strides ??= ContiguousStrides(shape);
        if (strides.Length != shape.Length)
            throw new InvalidDataException($"tensor of shape {ShapeText(shape)} has {strides.Length} strides");
        if (offset < 0 || shape.Any(d => d < 0) || strides.Any(s => s < 0))
            throw new InvalidDataException($"tensor view offset {offset}, shape {ShapeText(shape)}, strides {ShapeText(strides)} has negative values");
        long count = 1, last = offset;
        for (var i = 0; i < shape.Length; i++)
        {
            if (shape[i] > 0 && count > long.MaxValue / 16 / shape[i])
                throw new InvalidDataException($"tensor shape {ShapeText(shape)} is absurdly large");
            count *= shape[i];
            if (shape[i] > 0 && strides[i] > 0 && (shape[i] - 1) > (long.MaxValue / 16 - last) / strides[i])
                throw new InvalidDataException($"tensor strides {ShapeText(strides)} are absurdly large");
            last += shape[i] > 0 ? (shape[i] - 1) * strides[i] : 0;
        }
        if (count > 0 && last >= storage.Count)
            throw new InvalidDataException($"tensor of shape {ShapeText(shape)} at offset {offset} needs {last + 1} elements but its storage {storage.Description} holds {storage.Count}");
        // Zero or overlapping strides could make a tiny storage claim billions of elements; state dicts never hold such views.
        if (count > storage.Count)
            throw new InvalidDataException($"tensor of shape {ShapeText(shape)} with strides {ShapeText(strides)} repeats elements of its {storage.Count}-element storage {storage.Description}; expanded views are not read");
        Storage = storage;
        Offset = offset;
        Shape = shape;
        Strides = strides;
        ElementCount = count;
    }

    public TensorStorage Storage { get; }

    public ElementType Type => Storage.Type;

    public long Offset { get; }

    public long[] Shape { get; }

    public long[] Strides { get; }

    public long ElementCount { get; }

    public string ShapeString => ShapeText(Shape);

    public static string ShapeText(IEnumerable<long> dims)
    {
        var d = dims.ToArray();
        return d.Length == 1 ? $"({d[0]},)" : "(" + string.Join(", ", d) + ")";
    }

    public static long[] ContiguousStrides(long[] shape)
    {
        var strides = new long[shape.Length];
        long s = 1;
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= Math.Max(shape[i], 1);
        }
        return strides;
    }

    /// <summary>The elements in C order as float32 (integers converted).</summary>
    public float[] ReadFloats()
    {
        if (ElementCount > Array.MaxLength)
            throw new InvalidDataException($"tensor of shape {ShapeString} is too large to convert in one piece");
        var result = new float[ElementCount];
        if (ElementCount == 0)
            return result;
        var bytes = Storage.Load().Span;
        var size = Type.Size();
        if (Strides.SequenceEqual(ContiguousStrides(Shape)))
        {
            ElementTypes.Decode(Type, Storage.BigEndian, bytes.Slice(checked((int)(Offset * size))), result);
            return result;
        }
        // A non-contiguous view: walk the multi-index, decoding one element at a time.
        var index = new long[Shape.Length];
        for (long i = 0; i < ElementCount; i++)
        {
            var element = Offset;
            for (var d = 0; d < Shape.Length; d++)
                element += index[d] * Strides[d];
            ElementTypes.Decode(Type, Storage.BigEndian, bytes.Slice(checked((int)(element * size)), size), result.AsSpan((int)i, 1));
            for (var d = Shape.Length - 1; d >= 0; d--)
            {
                if (++index[d] < Shape[d])
                    break;
                index[d] = 0;
            }
        }
        return result;
    }
}
