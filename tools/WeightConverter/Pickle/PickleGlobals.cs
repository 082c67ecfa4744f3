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
    ];

    /// <summary>The global for `module.name`, or a <see cref="PyRefused"/> if it is not on the allow-list.</summary>
    public static object Resolve(string module, string name)
    {
        // numpy 2 moved numpy.core to numpy._core; both spellings name the same functions.
        var normalized = module.StartsWith("numpy._core", StringComparison.Ordinal) ? "numpy.core" + module["numpy._core".Length..] : module;
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
            case "_codecs.encode":
                if (args.Length < 1 || args[0] is not string text)
                    throw new InvalidDataException("_codecs.encode expects a string");
                var encoding = args.Length > 1 ? AsText(args[1])?.ToLowerInvariant() : "utf-8";
                return encoding switch
                {
                    "latin1" or "latin-1" or "iso-8859-1" => new PyBytes(Latin1(text)),
                    "utf-8" or "utf8" => new PyBytes(Encoding.UTF8.GetBytes(text)),
                    _ => throw new InvalidDataException($"_codecs.encode with encoding '{encoding}' is not supported"),
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

    /// <summary>The bytes of a bytes value, a Python-2 byte string (read as latin1) or a bytearray; null otherwise.</summary>
    public static ReadOnlyMemory<byte>? AsBytes(object? value) => value switch
    {
        PyBytes b => b.Data,
        string s => Latin1(s),
        _ => null,
    };

    public static string? AsText(object? value) => value switch
    {
        string s => s,
        PyBytes b => Encoding.Latin1.GetString(b.Data.Span),
        _ => null,
    };

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
        string => "str",
        long or BigInteger => "int",
        double => "float",
        bool => "bool",
        PyBytes => "bytes",
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
