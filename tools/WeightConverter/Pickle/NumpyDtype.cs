using WeightConverter.Containers;

namespace WeightConverter.Pickle;

/// <summary>A `numpy.dtype` as pickled: the type string from its constructor, the byte order from its BUILD state.</summary>
internal sealed class NumpyDtype(string kind)
{
    public string Kind { get; } = kind;

    /// <summary>'&lt;', '&gt;', '|' or '='.</summary>
    public char ByteOrder { get; set; } = '=';

    public bool BigEndian => ByteOrder == '>';

    public ElementType Type => ElementTypes.FromNumpy(Kind) ?? throw new InvalidDataException($"numpy dtype '{Kind}' is not a numeric type the converter reads");
}
