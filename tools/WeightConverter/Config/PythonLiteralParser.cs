using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Engine.Files;

namespace WeightConverter.Config;

/// <summary>
/// A recursive-descent reader of Python literals over a small tokenizer that follows Python's lexical
/// rules where a pretty_text can reach them (brackets join lines, a backslash joins lines, comments,
/// every string prefix and escape, underscores in numbers), bounded by <see cref="ConfigText.MaxDepth"/>.
/// Every token that would make the text more than data (a name, a call other than dict, an operator,
/// an attribute, a comprehension) stops it with the token's line and column.
/// </summary>
internal sealed class PythonLiteralParser(ConfigText text)
{
    private static readonly HashSet<string> _keywords =
    [
        "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else", "except", "finally",
        "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try",
        "while", "with", "yield",
    ];

    private readonly ConfigText _t = text;
    private readonly List<Token> _ahead = [];
    private readonly Stack<int> _brackets = new();
    private int _pos;
    private bool _lineHasTokens;

    private enum Kind
    {
        Name,
        Number,
        String,
        Bytes,
        Op,
        Newline,
        End,
    }

    private readonly record struct Token(Kind Kind, int Start, string Text, JsonNode? Value = null);

    public JsonObject ParseModule()
    {
        var module = new JsonObject();
        while (true)
        {
            var token = Next();
            if (token.Kind == Kind.End)
                return module;
            if (token.Kind == Kind.Newline)
                continue;
            if (token.Kind != Kind.Name || IsReserved(token.Text))
                throw _t.Error(token.Start, $"expected `name = value`, found {Describe(token)}");
            if (_t.Column(token.Start) != 0)
                throw _t.Error(token.Start, "unexpected indentation");
            var equals = Next();
            if (!IsOp(equals, "="))
            {
                throw _t.Error(equals.Start, equals.Text switch
                {
                    ":" => "annotated assignments are not supported",
                    "." or "[" => "only plain names can be assigned",
                    _ => $"expected `=` after `{token.Text}`, found {Describe(equals)}",
                });
            }
            var value = ParseExpression(0);
            var end = Next();
            if (end.Kind is not (Kind.Newline or Kind.End))
            {
                throw _t.Error(end.Start, end.Text switch
                {
                    "=" => "chained assignments are not supported",
                    "," => "a tuple needs parentheses here",
                    ";" => "semicolons are not supported",
                    _ => Unexpected(end, "the end of the line"),
                });
            }
            // Python keeps a reassigned name at its first position with its last value.
            module[token.Text] = value;
            if (end.Kind == Kind.End)
                return module;
        }
    }

    private JsonNode? ParseExpression(int depth)
    {
        if (depth >= ConfigText.MaxDepth)
            throw _t.Error(Peek(0).Start, $"nesting deeper than {ConfigText.MaxDepth} levels");
        var token = Next();
        switch (token.Kind)
        {
            case Kind.Number:
                return token.Value;
            case Kind.String or Kind.Bytes:
                return JsonValue.Create(Concatenate(token));
            case Kind.Name:
                return token.Text switch
                {
                    "True" => JsonValue.Create(true),
                    "False" => JsonValue.Create(false),
                    "None" => null,
                    "dict" when IsOp(Peek(0), "(") => ParseDictCall(depth),
                    "range" when IsOp(Peek(0), "(") => ParseRangeCall(token, depth),
                    _ when _keywords.Contains(token.Text) => throw _t.Error(token.Start, $"`{token.Text}` is not allowed: only literals are"),
                    _ when IsOp(Peek(0), "(") => throw _t.Error(token.Start, $"calling `{token.Text}` is not allowed: only dict(...) and range(...) are"),
                    _ => throw _t.Error(token.Start, $"name `{token.Text}` is not a literal: variables are not allowed"),
                };
            case Kind.Op when token.Text is "-" or "+":
                var number = Next();
                if (number.Kind != Kind.Number)
                    throw _t.Error(token.Start, $"a sign applies only to a number here, not to {Describe(number)}");
                if (token.Text == "+")
                    return number.Value;
                // -9223372036854775808 is a long although its digits alone are not.
                return number.Text.Replace("_", "", StringComparison.Ordinal) == "9223372036854775808" ? JsonValue.Create(long.MinValue) : Negate(number.Value!);
            case Kind.Op when token.Text == "[":
                return ParseItems("]", depth);
            case Kind.Op when token.Text == "(":
                if (IsOp(Peek(0), ")"))
                {
                    Next();
                    return new JsonArray();
                }
                var first = ParseExpression(depth + 1);
                var after = Next();
                if (IsOp(after, ")"))
                    return first;
                if (!IsOp(after, ","))
                    throw _t.Error(after.Start, Unexpected(after, "`,` or `)`"));
                var tuple = ParseItems(")", depth);
                tuple.Insert(0, first);
                return tuple;
            case Kind.Op when token.Text == "{":
                return ParseBraces(depth);
            default:
                throw _t.Error(token.Start, Unexpected(token, "a value"));
        }
    }

    /// <summary>The items of a list or the rest of a tuple, up to <paramref name="close"/>; a trailing comma is allowed.</summary>
    private JsonArray ParseItems(string close, int depth)
    {
        var items = new JsonArray();
        while (true)
        {
            if (IsOp(Peek(0), close))
            {
                Next();
                return items;
            }
            items.Add(ParseExpression(depth + 1));
            var separator = Next();
            if (IsOp(separator, close))
                return items;
            if (!IsOp(separator, ","))
                throw _t.Error(separator.Start, Unexpected(separator, $"`,` or `{close}`"));
        }
    }

    private JsonObject ParseBraces(int depth)
    {
        var map = new JsonObject();
        while (true)
        {
            if (IsOp(Peek(0), "}"))
            {
                Next();
                return map;
            }
            var keyToken = Peek(0);
            if (IsOp(keyToken, "**"))
                throw _t.Error(keyToken.Start, "`**` unpacking is not allowed");
            var key = ParseExpression(depth + 1);
            var colon = Next();
            if (!IsOp(colon, ":"))
            {
                throw _t.Error(colon.Start, colon.Text is "," or "}" && colon.Kind == Kind.Op
                    ? "sets are not supported" : Unexpected(colon, "`:`"));
            }
            // Python keeps a repeated key at its first position with its last value.
            map[_t.KeyText(key, keyToken.Start)] = ParseExpression(depth + 1);
            var separator = Next();
            if (IsOp(separator, "}"))
                return map;
            if (!IsOp(separator, ","))
                throw _t.Error(separator.Start, Unexpected(separator, "`,` or `}`"));
        }
    }

    /// <summary>dict(k=v, ...), and dict({...}) which pretty_text writes for a dict whose keys are not identifiers.</summary>
    private JsonObject ParseDictCall(int depth)
    {
        Next();
        var map = new JsonObject();
        var keywords = new HashSet<string>(StringComparer.Ordinal);
        var arguments = 0;
        while (true)
        {
            var token = Peek(0);
            if (IsOp(token, ")"))
            {
                Next();
                return map;
            }
            if (IsOp(token, "**") || IsOp(token, "*"))
                throw _t.Error(token.Start, $"`{token.Text}` unpacking is not allowed");
            if (token.Kind == Kind.Name && IsOp(Peek(1), "="))
            {
                Next();
                Next();
                if (IsReserved(token.Text))
                    throw _t.Error(token.Start, $"`{token.Text}` cannot be a keyword argument");
                if (!keywords.Add(token.Text))
                    throw _t.Error(token.Start, $"keyword argument `{token.Text}` repeated");
                map[token.Text] = ParseExpression(depth + 1);
            }
            else
            {
                if (arguments > 0)
                    throw _t.Error(token.Start, "dict() takes one positional mapping, before any keyword");
                if (ParseExpression(depth + 1) is not JsonObject positional)
                    throw _t.Error(token.Start, "dict()'s positional argument must be a mapping literal");
                foreach (var (key, value) in positional.ToArray())
                {
                    positional.Remove(key);
                    map[key] = value;
                }
            }
            arguments++;
            var separator = Next();
            if (IsOp(separator, ")"))
                return map;
            if (!IsOp(separator, ","))
                throw _t.Error(separator.Start, Unexpected(separator, "`,` or `)`"));
        }
    }

    /// <summary>The most items a range(...) may expand to.</summary>
    private const long MaxRangeItems = 1 << 16;

    /// <summary>
    /// range(stop), range(start, stop[, step]) with integer literals, as a list: pretty_text writes a range value
    /// as its repr (mmaction2 0.x tools/train.py sets `cfg.gpu_ids = range(...)`), so it is data here, not a call.
    /// </summary>
    private JsonArray ParseRangeCall(Token name, int depth)
    {
        Next();
        var bounds = new List<long>();
        while (!IsOp(Peek(0), ")"))
        {
            var start = Peek(0).Start;
            if (ParseExpression(depth + 1) is not JsonValue v || !v.TryGetValue<long>(out var bound))
                throw _t.Error(start, "range() takes integer literals");
            bounds.Add(bound);
            var separator = Peek(0);
            if (IsOp(separator, ","))
                Next();
            else if (!IsOp(separator, ")"))
                throw _t.Error(separator.Start, Unexpected(separator, "`,` or `)`"));
        }
        Next();
        if (bounds.Count is < 1 or > 3 || (bounds.Count == 3 && bounds[2] == 0))
            throw _t.Error(name.Start, "range() takes 1 to 3 integers and a non-zero step");
        var (first, stop, step) = bounds.Count == 1 ? (0, bounds[0], 1) : (bounds[0], bounds[1], bounds.Count == 3 ? bounds[2] : 1);
        var count = step > 0 ? (stop > first ? (stop - first + step - 1) / step : 0) : (first > stop ? (first - stop - step - 1) / -step : 0);
        if (count > MaxRangeItems)
            throw _t.Error(name.Start, $"range() of {count} items is more than {MaxRangeItems}");
        var items = new JsonArray();
        for (long i = 0, value = first; i < count; i++, value += step)
            items.Add(value);
        return items;
    }

    private string Concatenate(Token first)
    {
        if (first.Kind == Kind.String && !IsString(Peek(0)))
            return first.Text;
        var value = new StringBuilder(first.Text);
        while (IsString(Peek(0)))
        {
            var next = Next();
            if (next.Kind != first.Kind)
                throw _t.Error(next.Start, "bytes and str literals cannot be concatenated");
            value.Append(next.Text);
        }
        return value.ToString();
    }

    private static bool IsString(Token token) => token.Kind is Kind.String or Kind.Bytes;

    private static JsonNode Negate(JsonNode number) =>
        number.AsValue().TryGetValue(out long l) ? JsonValue.Create(-l) : JsonValue.Create(-number.GetValue<double>());

    private static bool IsOp(Token token, string op) => token.Kind == Kind.Op && token.Text == op;

    private static bool IsReserved(string name) => _keywords.Contains(name) || name is "True" or "False" or "None";

    private static string Describe(Token token) => token.Kind switch
    {
        Kind.Newline => "the end of the line",
        Kind.End => "the end of the text",
        Kind.String or Kind.Bytes => "a string",
        Kind.Number => "a number",
        _ => $"`{token.Text}`",
    };

    /// <summary>Why a token cannot stand here, naming the construct it would start.</summary>
    private static string Unexpected(Token token, string expected) => token switch
    {
        { Kind: Kind.Op, Text: "." } => "attribute access is not allowed",
        { Kind: Kind.Op, Text: "(" } => "calls are not allowed: only dict(...) is",
        { Kind: Kind.Op, Text: "[" } => "subscripts are not allowed",
        { Kind: Kind.Op, Text: ":=" } => "assignment expressions are not allowed",
        { Kind: Kind.Op, Text: not ("," or ":" or ")" or "]" or "}" or "=" or ";") } => $"operator `{token.Text}` is not allowed: only literals are",
        { Kind: Kind.Name, Text: "for" or "async" } => "comprehensions are not allowed",
        { Kind: Kind.Name, Text: "if" or "else" } => "conditional expressions are not allowed",
        { Kind: Kind.Name, Text: "and" or "or" or "not" or "in" or "is" } => $"operator `{token.Text}` is not allowed: only literals are",
        { Kind: Kind.Name, Text: "lambda" } => "lambda is not allowed",
        _ => $"expected {expected}, found {Describe(token)}",
    };

    private Token Next()
    {
        if (_ahead.Count == 0)
            return Lex();
        var token = _ahead[0];
        _ahead.RemoveAt(0);
        return token;
    }

    private Token Peek(int index)
    {
        while (_ahead.Count <= index)
            _ahead.Add(Lex());
        return _ahead[index];
    }

    private Token Lex()
    {
        while (true)
        {
            var c = _t[_pos];
            if (c is ' ' or '\t' or '\f')
            {
                _pos++;
                continue;
            }
            if (c == '\\')
            {
                if (_t[_pos + 1] != '\n')
                    throw _t.Error(_pos, "a backslash outside a string must end the line");
                _pos += 2;
                continue;
            }
            if (c == '#')
            {
                while (_t[_pos] is not ('\n' or '\0'))
                    _pos++;
                continue;
            }
            if (c == '\n')
            {
                _pos++;
                if (_brackets.Count > 0 || !_lineHasTokens)
                    continue;
                _lineHasTokens = false;
                return new Token(Kind.Newline, _pos - 1, "\n");
            }
            if (c == '\0')
            {
                if (_brackets.Count > 0)
                    throw _t.Error(_brackets.Peek(), $"`{_t[_brackets.Peek()]}` is never closed");
                return new Token(Kind.End, _pos, "");
            }
            _lineHasTokens = true;
            var start = _pos;
            if (IsIdentifierStart(c))
            {
                while (IsIdentifierPart(_t[_pos]))
                    _pos++;
                var name = _t.Text[start.._pos];
                if (_t[_pos] is '\'' or '"')
                {
                    var prefix = name.ToLowerInvariant();
                    if (prefix is "f" or "fr" or "rf")
                        throw _t.Error(start, "f-strings are not allowed");
                    if (prefix is "r" or "u" or "b" or "br" or "rb")
                        return LexString(start, raw: prefix.Contains('r', StringComparison.Ordinal), bytes: prefix.Contains('b', StringComparison.Ordinal));
                }
                return new Token(Kind.Name, start, name);
            }
            if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(_t[_pos + 1])))
                return LexNumber();
            if (c is '\'' or '"')
                return LexString(start, raw: false, bytes: false);
            _pos++;
            switch (c)
            {
                case '(' or '[' or '{':
                    if (_brackets.Count >= ConfigText.MaxDepth)
                        throw _t.Error(start, $"nesting deeper than {ConfigText.MaxDepth} levels");
                    _brackets.Push(start);
                    return new Token(Kind.Op, start, c.ToString());
                case ')' or ']' or '}':
                    var open = _brackets.Count > 0 ? _t[_brackets.Peek()] : '\0';
                    if ((open, c) is not (('(', ')') or ('[', ']') or ('{', '}')))
                        throw _t.Error(start, open == '\0' ? $"`{c}` closes nothing" : $"`{c}` does not match `{open}` at {Where(_brackets.Peek())}");
                    _brackets.Pop();
                    return new Token(Kind.Op, start, c.ToString());
                case '*' when _t[_pos] == '*':
                    _pos++;
                    return new Token(Kind.Op, start, "**");
                case ':' when _t[_pos] == '=':
                    _pos++;
                    return new Token(Kind.Op, start, ":=");
                case ',' or ':' or '=' or '.' or ';' or '-' or '+' or '*' or '/' or '%' or '@' or '&' or '|' or '^' or '~' or '<' or '>' or '!':
                    return new Token(Kind.Op, start, c.ToString());
                default:
                    throw _t.Error(start, $"invalid character {ConfigText.Describe(c)}");
            }
        }
    }

    private string Where(int at) => $"line {_t.Text.AsSpan(0, at).Count('\n') + 1}";

    private static bool IsIdentifierStart(char c) => c == '_' || char.IsLetter(c);

    private static bool IsIdentifierPart(char c) =>
        c == '_' || char.IsLetterOrDigit(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.ConnectorPunctuation;

    // Python's tokenizer rules for numeric literals (Lexical analysis, 2.4.5-2.4.7): '_' only between
    // digits, no leading zeros in a nonzero decimal, and no letter straight after the number.
    private Token LexNumber()
    {
        var start = _pos;
        JsonNode value;
        if (_t[_pos] == '0' && char.ToLowerInvariant(_t[_pos + 1]) is 'x' or 'o' or 'b')
        {
            var radix = char.ToLowerInvariant(_t[_pos + 1]) switch { 'x' => 16, 'o' => 8, _ => 2 };
            _pos += 2;
            if (_t[_pos] == '_')
                _pos++;
            var digits = ScanDigits(start, c => ConfigText.HexValue(c) is var d && d >= 0 && d < radix);
            var exact = 0L;
            var approximate = 0.0;
            var fits = true;
            foreach (var c in digits)
            {
                approximate = approximate * radix + ConfigText.HexValue(c);
                fits = fits && exact <= (long.MaxValue - ConfigText.HexValue(c)) / radix;
                exact = fits ? exact * radix + ConfigText.HexValue(c) : 0;
            }
            value = fits ? JsonValue.Create(exact) : JsonValue.Create(approximate);
        }
        else
        {
            var integer = _t[_pos] == '.' ? "" : ScanDigits(start, char.IsAsciiDigit);
            var isFloat = false;
            var fraction = "";
            var exponent = "";
            if (_t[_pos] == '.')
            {
                isFloat = true;
                _pos++;
                if (char.IsAsciiDigit(_t[_pos]))
                    fraction = ScanDigits(start, char.IsAsciiDigit);
            }
            if (_t[_pos] is 'e' or 'E' && (char.IsAsciiDigit(_t[_pos + 1]) || (_t[_pos + 1] is '+' or '-' && char.IsAsciiDigit(_t[_pos + 2]))))
            {
                isFloat = true;
                _pos++;
                var sign = _t[_pos] is '+' or '-' ? _t[_pos++].ToString() : "";
                exponent = "e" + sign + ScanDigits(start, char.IsAsciiDigit);
            }
            if (isFloat)
            {
                var literal = (integer.Length == 0 ? "0" : integer) + "." + (fraction.Length == 0 ? "0" : fraction) + exponent;
                value = JsonValue.Create(double.Parse(literal, NumberStyles.Float, CultureInfo.InvariantCulture));
            }
            else
            {
                if (integer.Length > 1 && integer[0] == '0' && integer.Any(d => d != '0'))
                    throw _t.Error(start, "leading zeros in a decimal integer are not allowed");
                value = long.TryParse(integer, NumberStyles.None, CultureInfo.InvariantCulture, out var exact)
                    ? JsonValue.Create(exact)
                    : JsonValue.Create(double.Parse(integer, NumberStyles.None, CultureInfo.InvariantCulture));
            }
        }
        if (_t[_pos] is 'j' or 'J')
            throw _t.Error(start, "complex numbers are not supported");
        if (IsIdentifierPart(_t[_pos]) || _t[_pos] == '.')
            throw _t.Error(start, "invalid number");
        return new Token(Kind.Number, start, _t.Text[start.._pos], value);
    }

    /// <summary>Digits with single underscores between them; returns the digits alone.</summary>
    private string ScanDigits(int start, Func<char, bool> isDigit)
    {
        var digits = new StringBuilder();
        while (true)
        {
            if (!isDigit(_t[_pos]))
                throw _t.Error(start, "invalid number");
            while (isDigit(_t[_pos]))
                digits.Append(_t[_pos++]);
            if (_t[_pos] != '_')
                return digits.ToString();
            _pos++;
        }
    }

    private Token LexString(int start, bool raw, bool bytes)
    {
        while (_t[_pos] is not ('\'' or '"'))
            _pos++;
        var quote = _t[_pos];
        var triple = _t[_pos + 1] == quote && _t[_pos + 2] == quote;
        _pos += triple ? 3 : 1;
        var value = new StringBuilder();
        while (true)
        {
            var c = _t[_pos];
            if (c == '\0' || (c == '\n' && !triple))
                throw _t.Error(start, "this string is never closed");
            if (c == quote && (!triple || (_t[_pos + 1] == quote && _t[_pos + 2] == quote)))
            {
                _pos += triple ? 3 : 1;
                return new Token(bytes ? Kind.Bytes : Kind.String, start, value.ToString());
            }
            if (bytes && c > '\x7F')
                throw _t.Error(_pos, "a bytes literal can hold only ASCII characters");
            if (c != '\\')
            {
                value.Append(c);
                _pos++;
                continue;
            }
            if (_t[_pos + 1] == '\0')
                throw _t.Error(start, "this string is never closed");
            if (raw)
            {
                // A raw string keeps the backslash and the character after it, which never ends the string.
                value.Append(c).Append(_t[_pos + 1]);
                _pos += 2;
                continue;
            }
            AppendEscape(value, bytes);
        }
    }

    // Python's string escapes (Lexical analysis, 2.4.1.1); an unknown escape keeps its backslash.
    private void AppendEscape(StringBuilder value, bool bytes)
    {
        var at = _pos;
        var c = _t[_pos + 1];
        _pos += 2;
        switch (c)
        {
            case '\n': return;
            case '\\' or '\'' or '"': value.Append(c); return;
            case 'a': value.Append('\a'); return;
            case 'b': value.Append('\b'); return;
            case 'f': value.Append('\f'); return;
            case 'n': value.Append('\n'); return;
            case 'r': value.Append('\r'); return;
            case 't': value.Append('\t'); return;
            case 'v': value.Append('\v'); return;
            case >= '0' and <= '7':
                var octal = c - '0';
                for (var i = 0; i < 2 && _t[_pos] is >= '0' and <= '7'; i++)
                    octal = octal * 8 + (_t[_pos++] - '0');
                if (bytes && octal > 0xFF)
                    throw _t.Error(at, "octal escape above \\377 in a bytes literal");
                value.Append((char)octal);
                return;
            case 'x':
                value.Append((char)HexDigits(at, 2));
                return;
            case 'u' or 'U' when !bytes:
                var code = HexDigits(at, c == 'u' ? 4 : 8);
                if (code > 0x10FFFF)
                    throw _t.Error(at, $"escape `\\{c}` names no Unicode code point");
                ConfigText.AppendCodePoint(value, (int)code);
                return;
            case 'N' when !bytes:
                throw _t.Error(at, "\\N{...} escapes are not supported");
            default:
                value.Append('\\').Append(c);
                return;
        }
    }

    private long HexDigits(int at, int count)
    {
        var code = 0L;
        for (var i = 0; i < count; i++)
        {
            var d = ConfigText.HexValue(_t[_pos]);
            if (d < 0)
                throw _t.Error(at, $"a `\\{_t[at + 1]}` escape needs {count} hexadecimal digits");
            code = code * 16 + d;
            _pos++;
        }
        return code;
    }
}
