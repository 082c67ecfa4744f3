using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using Engine;

namespace WeightConverter.Pickle;

/// <summary>
/// A pickle virtual machine for protocols 0-5 that builds plain values and never runs code from the
/// file: globals go through <see cref="PickleGlobals"/>' allow-list, persistent ids through the
/// container's callback. Every length is checked against the bytes left before it is used, so a
/// corrupt length field fails at once instead of allocating; every failure is an
/// <see cref="EngineException"/> naming the source and the opcode's offset.
/// </summary>
internal sealed class Unpickler
{
    private const int MaxLongDigits = 4300;

    private readonly ReadOnlyMemory<byte> _data;
    private readonly string _source;
    private readonly Func<object?, object?>? _persistentLoad;
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];
    private int _pos;
    private int _opStart;

    /// <param name="data">The pickle bytes (the stream may continue after STOP).</param>
    /// <param name="source">Names the file (and archive entry) in errors.</param>
    /// <param name="persistentLoad">Resolves persistent ids (torch storages); null refuses them.</param>
    public Unpickler(ReadOnlyMemory<byte> data, string source, Func<object?, object?>? persistentLoad = null)
    {
        _data = data;
        _source = source;
        _persistentLoad = persistentLoad;
    }

    /// <summary>The offset just past the STOP opcode after <see cref="Load"/>.</summary>
    public int Position => _pos;

    public object? Load()
    {
        try
        {
            return Run();
        }
        catch (InvalidDataException e)
        {
            throw new EngineException($"{_source}: pickle offset {_opStart}: {e.Message}.");
        }
        catch (Exception e) when (e is OverflowException or FormatException or ArgumentException or DecoderFallbackException)
        {
            throw new EngineException($"{_source}: pickle offset {_opStart}: malformed value ({e.Message}).");
        }
    }

    private object? Run()
    {
        var span = _data.Span;
        while (true)
        {
            _opStart = _pos;
            var op = Byte();
            switch (op)
            {
                case 0x80: // PROTO
                    if (Byte() > 5)
                        throw new InvalidDataException($"pickle protocol {span[_pos - 1]} is not supported (0-5 are)");
                    break;
                case 0x95: // FRAME: a length hint only
                    Take(8);
                    break;
                case (byte)'.': // STOP
                    if (_stack.Count != 1 || _marks.Count != 0)
                        throw new InvalidDataException($"STOP with {_stack.Count} values on the stack");
                    return _stack[0];
                case (byte)'(':
                    _marks.Push(_stack.Count);
                    break;
                case (byte)'0':
                    Pop();
                    break;
                case (byte)'1':
                    PopMark();
                    break;
                case (byte)'2':
                    Push(Peek());
                    break;
                case (byte)'N':
                    Push(null);
                    break;
                case 0x88:
                    Push(true);
                    break;
                case 0x89:
                    Push(false);
                    break;
                case (byte)'I':
                    Push(ParseIntLine(Line()));
                    break;
                case (byte)'J':
                    Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4)));
                    break;
                case (byte)'K':
                    Push((long)Byte());
                    break;
                case (byte)'M':
                    Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2)));
                    break;
                case (byte)'L':
                    var longText = Line().TrimEnd('L');
                    if (longText.Length > MaxLongDigits)
                        throw new InvalidDataException($"LONG of {longText.Length} digits");
                    Push(Normalize(BigInteger.Parse(longText, CultureInfo.InvariantCulture)));
                    break;
                case 0x8a: // LONG1
                    Push(LittleEndianInteger(Take(Byte())));
                    break;
                case 0x8b: // LONG4
                    var longLength = BinaryPrimitives.ReadInt32LittleEndian(Take(4));
                    if (longLength < 0 || longLength > MaxLongDigits)
                        throw new InvalidDataException($"LONG4 of {longLength} bytes");
                    Push(LittleEndianInteger(Take(longLength)));
                    break;
                case (byte)'F':
                    Push(double.Parse(Line(), NumberStyles.Float, CultureInfo.InvariantCulture));
                    break;
                case (byte)'G':
                    Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8)));
                    break;
                case (byte)'S': // STRING: a quoted Python-2 str repr, read as latin1
                    Push(UnquoteString(Line()));
                    break;
                case (byte)'T':
                    Push(ByteString(Length32()));
                    break;
                case (byte)'U':
                    Push(ByteString(Byte()));
                    break;
                case (byte)'V':
                    Push(DecodeRawUnicodeEscape(Line()));
                    break;
                case (byte)'X':
                    Push(Text(Length32()));
                    break;
                case 0x8c:
                    Push(Utf8(Byte()));
                    break;
                case 0x8d:
                    Push(Text(Length64()));
                    break;
                case (byte)'B':
                    Push(Bytes(Length32()));
                    break;
                case (byte)'C':
                    Push(Bytes(Byte()));
                    break;
                case 0x8e:
                case 0x96: // BYTEARRAY8
                    Push(Bytes(Length64()));
                    break;
                case 0x97:
                    throw new InvalidDataException("NEXT_BUFFER: out-of-band buffers are not part of a checkpoint file");
                case 0x98: // READONLY_BUFFER
                    break;
                case (byte)')':
                    Push(Array.Empty<object?>());
                    break;
                case (byte)'t':
                    Push(PopMark().ToArray());
                    break;
                case 0x85:
                    Push(new[] { Pop() });
                    break;
                case 0x86:
                    {
                        var b = Pop();
                        var a = Pop();
                        Push(new[] { a, b });
                        break;
                    }
                case 0x87:
                    {
                        var c = Pop();
                        var b = Pop();
                        var a = Pop();
                        Push(new[] { a, b, c });
                        break;
                    }
                case (byte)']':
                    Push(new List<object?>());
                    break;
                case (byte)'l':
                    Push(PopMark());
                    break;
                case (byte)'a':
                    {
                        var item = Pop();
                        AsList(Peek()).Add(item);
                        break;
                    }
                case (byte)'e':
                    {
                        var items = PopMark();
                        AsList(Peek()).AddRange(items);
                        break;
                    }
                case 0x8f: // EMPTY_SET: sets are read as lists
                    Push(new List<object?>());
                    break;
                case 0x90: // ADDITEMS
                    {
                        var items = PopMark();
                        AsList(Peek()).AddRange(items);
                        break;
                    }
                case 0x91: // FROZENSET
                    Push(PopMark());
                    break;
                case (byte)'}':
                    Push(new PyDict());
                    break;
                case (byte)'d':
                    {
                        var items = PopMark();
                        var dict = new PyDict();
                        SetItems(dict, items);
                        Push(dict);
                        break;
                    }
                case (byte)'s':
                    {
                        var value = Pop();
                        var key = Pop();
                        SetItems(Peek(), [key, value]);
                        break;
                    }
                case (byte)'u':
                    {
                        var items = PopMark();
                        SetItems(Peek(), items);
                        break;
                    }
                case (byte)'p':
                    _memo[ParseIntLine(Line()) is long p ? p : throw new InvalidDataException("PUT index is not an integer")] = Peek();
                    break;
                case (byte)'q':
                    _memo[Byte()] = Peek();
                    break;
                case (byte)'r':
                    _memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Peek();
                    break;
                case 0x94: // MEMOIZE
                    _memo[_memo.Count] = Peek();
                    break;
                case (byte)'g':
                    Push(Memo(ParseIntLine(Line()) is long g ? g : -1));
                    break;
                case (byte)'h':
                    Push(Memo(Byte()));
                    break;
                case (byte)'j':
                    Push(Memo(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))));
                    break;
                case (byte)'c': // GLOBAL module\nname\n
                    {
                        var module = Line();
                        var name = Line();
                        Push(PickleGlobals.Resolve(module, name));
                        break;
                    }
                case 0x93: // STACK_GLOBAL
                    {
                        var name = Pop() as string ?? throw new InvalidDataException("STACK_GLOBAL name is not a str");
                        var module = Pop() as string ?? throw new InvalidDataException("STACK_GLOBAL module is not a str");
                        Push(PickleGlobals.Resolve(module, name));
                        break;
                    }
                case (byte)'R': // REDUCE
                    {
                        var args = Pop();
                        var callable = Pop();
                        Push(Call(callable, args));
                        break;
                    }
                case 0x81: // NEWOBJ
                    {
                        var args = Pop();
                        var cls = Pop();
                        Push(Call(cls, args));
                        break;
                    }
                case 0x92: // NEWOBJ_EX
                    {
                        Pop();
                        var args = Pop();
                        var cls = Pop();
                        Push(Call(cls, args));
                        break;
                    }
                case (byte)'i': // INST module\nname\n with arguments since the mark
                    {
                        var module = Line();
                        var name = Line();
                        var args = PopMark().ToArray();
                        Push(Call(PickleGlobals.Resolve(module, name), args));
                        break;
                    }
                case (byte)'o': // OBJ: class and arguments since the mark
                    {
                        var items = PopMark();
                        if (items.Count == 0)
                            throw new InvalidDataException("OBJ without a class");
                        Push(Call(items[0], items.Skip(1).ToArray()));
                        break;
                    }
                case (byte)'b': // BUILD
                    {
                        var state = Pop();
                        PickleGlobals.Build(Peek(), state);
                        break;
                    }
                case (byte)'P':
                    Push(Persistent(Line()));
                    break;
                case (byte)'Q':
                    Push(Persistent(Pop()));
                    break;
                case 0x82 or 0x83 or 0x84:
                    throw new InvalidDataException("EXT opcodes (the copyreg extension registry) are not allowed");
                default:
                    throw new InvalidDataException($"unknown opcode 0x{op:x2}");
            }
        }
    }

    private static object? Call(object? callable, object? args)
    {
        var argArray = args switch
        {
            object?[] t => t,
            List<object?> l => l.ToArray(),
            _ => throw new InvalidDataException($"call arguments are a {PickleGlobals.TypeName(args)}, expected a tuple"),
        };
        return callable switch
        {
            PyGlobal g => PickleGlobals.Call(g, argArray),
            PyRefused r => r,
            _ => throw new InvalidDataException($"call of a {PickleGlobals.TypeName(callable)}"),
        };
    }

    private object? Persistent(object? pid)
    {
        if (_persistentLoad is null)
            throw new InvalidDataException("persistent id in a pickle that is not inside a torch.save container");
        return _persistentLoad(pid);
    }

    private static void SetItems(object? target, IReadOnlyList<object?> items)
    {
        if (items.Count % 2 != 0)
            throw new InvalidDataException("SETITEMS with an odd number of values");
        switch (target)
        {
            case PyDict dict:
                for (var i = 0; i < items.Count; i += 2)
                    dict.Set(items[i] ?? "None", items[i + 1]);
                break;
            case PyRefused:
                break;
            default:
                throw new InvalidDataException($"SETITEM on a {PickleGlobals.TypeName(target)}");
        }
    }

    private static List<object?> AsList(object? value) => value switch
    {
        List<object?> l => l,
        _ => throw new InvalidDataException($"APPEND to a {PickleGlobals.TypeName(value)}"),
    };

    private object? Memo(long index) => _memo.TryGetValue(index, out var v) ? v : throw new InvalidDataException($"memo key {index} was never stored");

    private void Push(object? value) => _stack.Add(value);

    private object? Peek()
    {
        if (_stack.Count == 0 || (_marks.Count > 0 && _marks.Peek() == _stack.Count))
            throw new InvalidDataException("stack underflow");
        return _stack[^1];
    }

    private object? Pop()
    {
        var value = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private List<object?> PopMark()
    {
        if (_marks.Count == 0)
            throw new InvalidDataException("no MARK on the stack");
        var start = _marks.Pop();
        var items = _stack.GetRange(start, _stack.Count - start);
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private byte Byte() => Take(1)[0];

    private ReadOnlySpan<byte> Take(long count, bool peek = false)
    {
        if (count < 0 || count > _data.Length - _pos)
            throw new InvalidDataException($"length {count} runs past the end of the data ({_data.Length - _pos} bytes left)");
        var span = _data.Span.Slice(_pos, (int)count);
        if (!peek)
            _pos += (int)count;
        return span;
    }

    private long Length32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    private long Length64()
    {
        var length = BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
        return length > int.MaxValue ? throw new InvalidDataException($"length {length} runs past the end of the data") : (long)length;
    }

    private string Line()
    {
        var rest = _data.Span[_pos..];
        var end = rest.IndexOf((byte)'\n');
        if (end < 0)
            throw new InvalidDataException("text argument without a newline before the end of the data");
        _pos += end + 1;
        return Encoding.Latin1.GetString(rest[..end]).TrimEnd('\r');
    }

    private object Bytes(long length)
    {
        Take(length, peek: true);
        var slice = _data.Slice(_pos, (int)length);
        _pos += (int)length;
        return new PyBytes(slice);
    }

    /// <summary>A Python-2 str: short ones become latin1 strings (dict keys, dtype codes), long ones stay bytes (array data).</summary>
    private object ByteString(long length)
    {
        if (length > 4096)
            return Bytes(length);
        return Encoding.Latin1.GetString(Take(length));
    }

    private string Utf8(long length) => new UTF8Encoding(false, true).GetString(Take(length));

    /// <summary>A str: short ones become .NET strings, long ones stay UTF-8 slices (see <see cref="PyText"/>).</summary>
    private object Text(long length)
    {
        if (length <= 4096)
            return Utf8(length);
        var bytes = Take(length, peek: true);
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
            throw new InvalidDataException("str is not valid UTF-8");
        var slice = _data.Slice(_pos, (int)length);
        _pos += (int)length;
        return new PyText(slice);
    }

    private static object ParseIntLine(string text) => text switch
    {
        "00" => false,
        "01" => true,
        _ when text.Length > MaxLongDigits => throw new InvalidDataException($"INT of {text.Length} digits"),
        _ => Normalize(BigInteger.Parse(text.TrimEnd('L'), CultureInfo.InvariantCulture)),
    };

    private static object Normalize(BigInteger value) => value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;

    private static object LittleEndianInteger(ReadOnlySpan<byte> bytes) => bytes.Length == 0 ? 0L : Normalize(new BigInteger(bytes, isUnsigned: false, isBigEndian: false));

    private static string UnquoteString(string repr)
    {
        if (repr.Length < 2 || repr[0] != repr[^1] || (repr[0] != '\'' && repr[0] != '"'))
            throw new InvalidDataException("STRING argument is not quoted");
        var body = repr[1..^1];
        var result = new StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] != '\\' || i + 1 == body.Length)
            {
                result.Append(body[i]);
                continue;
            }
            var c = body[++i];
            switch (c)
            {
                case 'n': result.Append('\n'); break;
                case 'r': result.Append('\r'); break;
                case 't': result.Append('\t'); break;
                case '0' or '1' or '2' or '3' or '4' or '5' or '6' or '7':
                    var digits = 1;
                    while (digits < 3 && i + digits < body.Length && body[i + digits] is >= '0' and <= '7')
                        digits++;
                    result.Append((char)Convert.ToInt32(body.Substring(i, digits), 8));
                    i += digits - 1;
                    break;
                case 'x' when i + 2 < body.Length:
                    result.Append((char)int.Parse(body.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 2;
                    break;
                default: result.Append(c); break;
            }
        }
        return result.ToString();
    }

    private static string DecodeRawUnicodeEscape(string text)
    {
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 5 < text.Length && text[i + 1] == 'u')
            {
                result.Append((char)int.Parse(text.AsSpan(i + 2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 5;
            }
            else if (text[i] == '\\' && i + 9 < text.Length && text[i + 1] == 'U')
            {
                result.Append(char.ConvertFromUtf32(int.Parse(text.AsSpan(i + 2, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
                i += 9;
            }
            else
                result.Append(text[i]);
        }
        // raw-unicode-escape writes characters below U+0100 as single latin1 bytes, which Line() already read as such.
        return result.ToString();
    }
}
