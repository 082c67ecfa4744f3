using WeightConverter.Containers;

namespace WeightConverter.Pickle;

/// <summary>
/// A numpy array being unpickled: `_reconstruct` creates it empty and BUILD fills in shape, dtype and
/// data (or `_frombuffer` creates it whole). <see cref="Tensor"/> is null until then.
/// </summary>
internal sealed class NumpyArray
{
    public CheckpointTensor? Tensor { get; private set; }

    /// <summary>Applies `ndarray.__setstate__`'s tuple (version, shape, dtype, is_fortran, data).</summary>
    public void SetState(object? state)
    {
        if (state is not object?[] { Length: 4 or 5 } s)
            throw new InvalidDataException("numpy array state is not a (version, shape, dtype, fortran, data) tuple");
        var offset = s.Length == 5 ? 1 : 0;
        Init(s[offset], s[offset + 1], s[offset + 2] is true or 1L, s[offset + 3]);
    }

    public void Init(object? shape, object? dtype, bool fortran, object? data)
    {
        if (dtype is not NumpyDtype d)
            throw new InvalidDataException("numpy array state has no dtype");
        var dims = PickleGlobals.Dims(shape, "numpy array shape");
        var (length, load) = PickleGlobals.AsBytes(data) ?? throw new InvalidDataException($"numpy array data is a {PickleGlobals.TypeName(data)}, expected bytes (object arrays are not read)");
        var type = d.Type;
        var count = dims.Aggregate(1L, (a, b) => b > 0 && a > long.MaxValue / 16 / b ? throw new InvalidDataException("numpy array shape is absurdly large") : a * b);
        if (count * type.Size() > length)
            throw new InvalidDataException($"numpy array {CheckpointTensor.ShapeText(dims)} of {d.Kind} needs {count * type.Size()} bytes but its data holds {length}");
        var storage = new TensorStorage("numpy array data", type, length / type.Size(), d.BigEndian, load);
        var strides = CheckpointTensor.ContiguousStrides(dims);
        if (fortran)
        {
            strides = new long[dims.Length];
            long st = 1;
            for (var i = 0; i < dims.Length; i++)
            {
                strides[i] = st;
                st *= Math.Max(dims[i], 1);
            }
        }
        Tensor = new CheckpointTensor(storage, 0, dims, strides);
    }
}
