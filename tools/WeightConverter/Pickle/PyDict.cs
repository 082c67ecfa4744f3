namespace WeightConverter.Pickle;

/// <summary>
/// A Python dict or OrderedDict read from a pickle: insertion-ordered, keyed by the Python value
/// (strings, integers, tuples). Attributes set by BUILD (torch's `_metadata`) are kept apart.
/// </summary>
internal sealed class PyDict
{
    private readonly List<KeyValuePair<object, object?>> _items = [];
    private readonly Dictionary<object, int> _index = new(PyKeyComparer.Instance);

    public int Count => _items.Count;

    public IReadOnlyList<KeyValuePair<object, object?>> Items => _items;

    public object? this[object key] => _index.TryGetValue(key, out var i) ? _items[i].Value : null;

    public bool TryGetValue(object key, out object? value)
    {
        if (_index.TryGetValue(key, out var i))
        {
            value = _items[i].Value;
            return true;
        }
        value = null;
        return false;
    }

    public void Set(object key, object? value)
    {
        if (_index.TryGetValue(key, out var i))
            _items[i] = new(key, value);
        else
        {
            _index[key] = _items.Count;
            _items.Add(new(key, value));
        }
    }
}
