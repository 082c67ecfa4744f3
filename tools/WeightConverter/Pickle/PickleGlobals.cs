using System.Numerics;
using System.Text;
using WeightConverter.Containers;

namespace WeightConverter.Pickle;

/// <summary>
/// The allow-list of globals a checkpoint pickle may name, and the C# stand-in for calling each: the
/// same small set `torch.load(weights_only=True)` admits for state dicts and numpy arrays. Every
/// stand-in only builds data (a dict, a tensor view, a dtype); any other global becomes an inert
/// <see cref="PyRefused"/> that is refused by name wherever its value is needed.
/// </summary>
internal static class PickleGlobals
{
    private static readonly HashSet<string> _allowed =
    [
        "collections.OrderedDict",
        "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",
        "torch._utils._rebuild_parameter_with_state",
        "numpy.core.multiarray._reconstruct",
        "numpy.core.multiarray.scalar",
        "numpy.core.numeric._frombuffer",
        "numpy.ndarray",
        "numpy.dtype",
        "_codecs.encode",
        "builtins.bytes",
        "builtins.bytearray",
    ];

    /// <summary>The global for `module.name`, or a <see cref="PyRefused"/> if it is not on the allow-list.</summary>
    public static object Resolve(string module, string name)
    {
        // numpy 2 moved numpy.core to numpy._core; Python 3 writes builtins as __builtin__ for protocols 0-2.
        var normalized = module.StartsWith("numpy._core", StringComparison.Ordinal) ? "numpy.core" + module["numpy._core".Length..]
            : module == "__builtin__" ? "builtins" : module;
        var full = $"{normalized}.{name}";
        if (_allowed.Contains(full) || (normalized == "torch" && ElementTypes.FromTorchStorage(name) is not null))
            return new PyGlobal(normalized, name);
        return new PyRefused($"{module}.{name}");
    }

    /// <summary>Calls an allowed global with its argument tuple (REDUCE, NEWOBJ, INST, OBJ).</summary>
    public static object? Call(PyGlobal global, object?[] args)
    {
        switch (global.FullName)
        {
            case "collections.OrderedDict":
                var dict = new PyDict();
                if (args.Length > 0 && args[0] is List<object?> pairs)
                {
                    foreach (var pair in pairs)
                    {
                        if (pair is not (object?[] or List<object?>))
                            throw new InvalidDataException("OrderedDict item is not a (key, value) pair");
                        var kv = pair as object?[] ?? ((List<object?>)pair).ToArray();
                        if (kv.Length != 2 || kv[0] is null)
                            throw new InvalidDataException("OrderedDict item is not a (key, value) pair");
                        dict.Set(kv[0]!, kv[1]);
                    }
                }
                return dict;
            case "torch._utils._rebuild_tensor" or "torch._utils._rebuild_tensor_v2":
                if (args.Length < 4 || args[0] is not TensorStorage storage || args[1] is not long offset)
                    throw new InvalidDataException($"{global.Name} expects (storage, offset, size, stride, ...)");
                return new CheckpointTensor(storage, offset, Dims(args[2], "tensor size"), Dims(args[3], "tensor stride"));
            case "torch._utils._rebuild_parameter" or "torch._utils._rebuild_parameter_with_state":
                return args.Length >= 1 && args[0] is CheckpointTensor parameter ? parameter : throw new InvalidDataException($"{global.Name} expects a tensor");
            case "numpy.core.multiarray._reconstruct":
                return new NumpyArray();
            case "numpy.dtype":
                return args.Length >= 1 && AsText(args[0]) is { } kind ? new NumpyDtype(kind) : throw new InvalidDataException("numpy.dtype expects a type string");
            case "numpy.core.multiarray.scalar":
                if (args.Length < 2)
                    throw new InvalidDataException("numpy scalar expects (dtype, data)");
                var scalar = new NumpyArray();
                scalar.Init(Array.Empty<object?>(), args[0], false, args[1]);
                return scalar;
            case "numpy.core.numeric._frombuffer":
                if (args.Length < 4)
                    throw new InvalidDataException("numpy _frombuffer expects (buffer, dtype, shape, order)");
                var array = new NumpyArray();
                array.Init(args[2], args[1], AsText(args[3]) == "F", args[0]);
                return array;
            case "builtins.bytes" or "builtins.bytearray":
                // Python 3 pickles empty bytes as bytes() and a bytearray as bytearray(bytes) under protocols 0-2.
                return args.Length == 0 ? new PyBytes(Array.Empty<byte>())
                    : args[0] is PyBytes or PyLatin1Bytes ? args[0]
                    : throw new InvalidDataException($"{global.Name}() of a {TypeName(args[0])}");
            case "_codecs.encode":
                var encoding = args.Length > 1 ? AsText(args[1])?.ToLowerInvariant() : "utf-8";
                return (args.FirstOrDefault(), encoding) switch
                {
                    (string text, "latin1" or "latin-1" or "iso-8859-1") => new PyBytes(Latin1(text)),
                    (PyText text, "latin1" or "latin-1" or "iso-8859-1") => new PyLatin1Bytes(text, Latin1Length(text.Utf8.Span)),
                    (string text, "utf-8" or "utf8") => new PyBytes(Encoding.UTF8.GetBytes(text)),
                    (PyText text, "utf-8" or "utf8") => new PyBytes(text.Utf8),
                    (string or PyText, _) => throw new InvalidDataException($"_codecs.encode with encoding '{encoding}' is not supported"),
                    _ => throw new InvalidDataException("_codecs.encode expects a string"),
                };
            default:
                throw new InvalidDataException($"{global.FullName} cannot be called");
        }
    }

    /// <summary>Applies a BUILD state to an object made by an allowed global.</summary>
    public static void Build(object? target, object? state)
    {
        switch (target)
        {
            case NumpyArray array:
                array.SetState(state);
                break;
            case NumpyDtype dtype:
                if (state is object?[] { Length: >= 2 } s && AsText(s[1]) is { Length: 1 } order)
                    dtype.ByteOrder = order[0];
                else
                    throw new InvalidDataException("numpy dtype state has no byte order");
                break;
            case PyDict or PyRefused or CheckpointTensor:
                // Instance attributes (torch's `_metadata` on a state dict, a parameter's hooks state) carry no weights.
                break;
            default:
                throw new InvalidDataException($"BUILD on a {TypeName(target)}");
        }
    }

    public static long[] Dims(object? value, string what)
    {
        var items = value switch
        {
            object?[] t => t,
            List<object?> l => l.ToArray(),
            _ => throw new InvalidDataException($"{what} is a {TypeName(value)}, expected a tuple of integers"),
        };
        return items.Select(i => i is long v and >= 0 and <= int.MaxValue ? v : throw new InvalidDataException($"{what} holds {TypeName(i)} {i}, expected a non-negative integer")).ToArray();
    }

    /// <summary>The length and loader of a bytes value, a Python-2 byte string (read as latin1) or a bytearray; null otherwise.</summary>
    public static (long Length, Func<ReadOnlyMemory<byte>> Load)? AsBytes(object? value)
    {
        switch (value)
        {
            case PyBytes b:
                return (b.Data.Length, () => b.Data);
            case PyLatin1Bytes l:
                return (l.Length, () => l.Decode());
            case string s:
                var bytes = Latin1(s);
                return (bytes.Length, () => bytes);
            default:
                return null;
        }
    }

    public static string? AsText(object? value) => value switch
    {
        string s => s,
        PyBytes b when b.Data.Length <= 4096 => Encoding.Latin1.GetString(b.Data.Span),
        _ => null,
    };

    /// <summary>The most text a checkpoint's embedded config may hold (the largest released configs are tens of KiB).</summary>
    public const int MaxConfigText = 8 << 20;

    /// <summary>A str of any length up to <see cref="MaxConfigText"/> bytes (a checkpoint's embedded config), or null.</summary>
    public static string? AsConfigText(object? value) => value switch
    {
        string s => s,
        PyText t when t.Utf8.Length <= MaxConfigText => Encoding.UTF8.GetString(t.Utf8.Span),
        _ => null,
    };

    /// <summary>
    /// The number of latin1 bytes valid UTF-8 text encodes to: one per lead byte. Characters above
    /// U+00FF (lead bytes from 0xC4) are refused here, so decoding later cannot fail.
    /// </summary>
    private static long Latin1Length(ReadOnlySpan<byte> utf8)
    {
        long characters = 0;
        foreach (var b in utf8)
        {
            if (b >= 0xC4)
                throw new InvalidDataException("latin1 byte string holds a character above U+00FF");
            characters += (b & 0xC0) != 0x80 ? 1 : 0;
        }
        return characters;
    }

    /// <summary>The latin1 bytes of UTF-8 text, decoded straight from the UTF-8 without an intermediate string.</summary>
    public static byte[] Latin1(ReadOnlySpan<byte> utf8)
    {
        var bytes = new byte[Latin1Length(utf8)];
        var count = 0;
        while (!utf8.IsEmpty)
        {
            System.Text.Rune.DecodeFromUtf8(utf8, out var rune, out var consumed);
            bytes[count++] = rune.Value <= 0xFF ? (byte)rune.Value : throw new InvalidDataException("latin1 byte string holds a character above U+00FF");
            utf8 = utf8[consumed..];
        }
        return bytes;
    }

    private static byte[] Latin1(string text)
    {
        var bytes = new byte[text.Length];
        for (var i = 0; i < text.Length; i++)
            bytes[i] = text[i] <= 0xFF ? (byte)text[i] : throw new InvalidDataException("latin1 byte string holds a character above U+00FF");
        return bytes;
    }

    public static string TypeName(object? value) => value switch
    {
        null => "None",
        string or PyText => "str",
        long or BigInteger => "int",
        double => "float",
        bool => "bool",
        PyBytes or PyLatin1Bytes => "bytes",
        object?[] => "tuple",
        List<object?> => "list",
        PyDict => "dict",
        PyGlobal g => g.FullName,
        PyRefused r => $"refused global {r.Global}",
        CheckpointTensor => "tensor",
        TensorStorage => "storage",
        NumpyArray => "numpy array",
        NumpyDtype => "numpy dtype",
        _ => value.GetType().Name,
    };
}
