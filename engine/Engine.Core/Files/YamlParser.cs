using System.Text;
using System.Text.Json.Nodes;

namespace Engine.Files;

/// <summary>
/// A single pass over block YAML: every collection records the column it started at, a line that
/// starts further left ends it, and a line further right than a finished value is an error. Block
/// nodes and inline values return with the cursor on the first content character of the next content
/// line (<see cref="_lineIndent"/> its column, -1 at the end or at a document marker). Each character
/// is read a bounded number of times (a plain scalar's look-ahead for a continuation line at most
/// twice), and recursion is bounded by <see cref="ConfigText.MaxDepth"/>.
/// </summary>
internal sealed class YamlParser(ConfigText text)
{
    private readonly ConfigText _t = text;
    private int _pos;
    private int _lineIndent;

    public JsonObject ParseDocument()
    {
        CheckCharacters();
        NextContentLine();
        if (_lineIndent == 0 && _t[_pos] == '%')
            throw _t.Error(_pos, "YAML directives are not supported");
        if (IsDocumentMarker(_pos, '-'))
        {
            _pos += 3;
            // `--- {}` is how safe_dump(explicit_start=True) writes an empty mapping.
            if (AtLineEnd())
                FinishLine();
            else
                _lineIndent = _t.Column(_pos);
        }
        if (_pos >= _t.Length || _lineIndent < 0)
            throw _t.Error(_pos, "the document is empty: expected a mapping");
        var start = _pos;
        var root = ParseBlockNode(-1, 0);
        var ended = IsDocumentMarker(_pos, '.');
        if (ended)
        {
            _pos += 3;
            FinishLine();
        }
        if (IsDocumentMarker(_pos, '-'))
            throw _t.Error(_pos, "a second document is not supported");
        if (_pos < _t.Length)
            throw _t.Error(_pos, ended ? "content after the end of the document" : "this line is indented less than the top level");
        return root as JsonObject ?? throw _t.Error(start, "the top level is not a mapping");
    }

    // PyYAML's reader refuses the same characters (yaml/reader.py:Reader.NON_PRINTABLE); NEL and the
    // Unicode line and paragraph separators are line breaks to YAML 1.1 that safe_dump always escapes.
    private void CheckCharacters()
    {
        var s = _t.Text;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c is '\t' or '\n' || (c >= ' ' && c <= '~') || (c >= '\xA0' && c <= '\uD7FF') || (c >= '\uE000' && c <= '\uFFFD' && c != '\uFEFF'))
            {
                continue;
            }
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
                continue;
            }
            if (c != '\x85')
                throw _t.Error(i, $"non-printable character {ConfigText.Describe(c)}");
        }
    }

    private JsonNode? ParseBlockNode(int parentIndent, int depth)
    {
        if (depth >= ConfigText.MaxDepth)
            throw _t.Error(_pos, $"nesting deeper than {ConfigText.MaxDepth} levels");
        var c = _t[_pos];
        var column = _t.Column(_pos);
        if (c == '-' && IsBlank(_t[_pos + 1]))
            return ParseBlockSequence(column, depth + 1);
        if (c is '[' or '{')
        {
            var flow = ParseFlowCollection(depth + 1);
            SkipInlineSpaces();
            if (_t[_pos] == ':')
                throw _t.Error(_pos, "a flow collection as a mapping key is not supported");
            FinishLine();
            return flow;
        }
        if (c == '?' && IsBlank(_t[_pos + 1]))
            return ParseBlockMapping(column, depth + 1);
        RefuseIndicator(flow: false);
        var start = _pos;
        if (TryScanKey(out _))
        {
            _pos = start;
            return ParseBlockMapping(column, depth + 1);
        }
        _pos = start;
        return ParseInlineScalar(parentIndent);
    }

    private JsonArray ParseBlockSequence(int indent, int depth)
    {
        var list = new JsonArray();
        while (true)
        {
            _pos++;
            SkipInlineSpaces();
            if (AtLineEnd())
            {
                FinishLine();
                list.Add(_lineIndent > indent ? ParseBlockNode(indent, depth) : null);
            }
            else
            {
                list.Add(ParseBlockNode(indent, depth));
            }
            if (_lineIndent > indent)
                throw _t.Error(_pos, "unexpected indentation");
            // A line at the same column that is not an entry belongs to the enclosing mapping (an
            // indentless sequence under its key); any other parent finds it mis-indented.
            if (_lineIndent < indent || !(_t[_pos] == '-' && IsBlank(_t[_pos + 1])))
                return list;
        }
    }

    private JsonObject ParseBlockMapping(int indent, int depth)
    {
        var map = new JsonObject();
        while (true)
        {
            var keyAt = _pos;
            string key;
            if (_t[_pos] == '?' && IsBlank(_t[_pos + 1]))
            {
                // safe_dump writes `? key` then `: value` for a key that is empty or longer than 128 characters.
                _pos++;
                if (AtLineEnd())
                    throw _t.Error(_pos, "an explicit key (`?`) must be on its own line");
                if (_t[_pos] is '[' or '{')
                    throw _t.Error(_pos, "a flow collection as a mapping key is not supported");
                RefuseIndicator(flow: false);
                var scalarAt = _pos;
                key = _t.KeyText(ParseInlineScalar(indent), scalarAt);
                if (!(_lineIndent == indent && _t[_pos] == ':' && IsBlank(_t[_pos + 1])))
                {
                    _t.Add(map, key, null, keyAt);
                    if (_lineIndent > indent)
                        throw _t.Error(_pos, "unexpected indentation");
                    if (_lineIndent < indent)
                        return map;
                    continue;
                }
                _pos++;
            }
            else
            {
                if (_t[_pos] == '-' && IsBlank(_t[_pos + 1]))
                    throw _t.Error(_pos, "a sequence entry where a mapping key was expected");
                RefuseIndicator(flow: false);
                if (!TryScanKey(out key))
                    throw _t.Error(keyAt, "expected a mapping key followed by `:`");
            }
            SkipInlineSpaces();
            JsonNode? value;
            if (AtLineEnd())
            {
                FinishLine();
                if (_lineIndent > indent)
                    value = ParseBlockNode(indent, depth);
                else if (_lineIndent == indent && _t[_pos] == '-' && IsBlank(_t[_pos + 1]))
                    value = ParseBlockSequence(indent, depth + 1);
                else
                    value = null;
            }
            else
            {
                value = ParseInlineValue(indent, depth);
            }
            _t.Add(map, key, value, keyAt);
            if (_lineIndent > indent)
                throw _t.Error(_pos, "unexpected indentation");
            if (_lineIndent < indent)
                return map;
        }
    }

    /// <summary>A value on its key's line: a flow collection or a scalar, never a block collection.</summary>
    private JsonNode? ParseInlineValue(int indent, int depth)
    {
        var c = _t[_pos];
        if (c == '-' && IsBlank(_t[_pos + 1]))
            throw _t.Error(_pos, "a block sequence cannot start on its key's line");
        if (c is '[' or '{')
        {
            var flow = ParseFlowCollection(depth + 1);
            FinishLine();
            return flow;
        }
        RefuseIndicator(flow: false);
        return ParseInlineScalar(indent);
    }

    private JsonNode? ParseInlineScalar(int parentIndent)
    {
        JsonNode? value;
        if (_t[_pos] is '\'' or '"')
        {
            value = JsonValue.Create(ScanQuoted());
        }
        else
        {
            var at = _pos;
            value = Resolve(ScanPlain(parentIndent, flow: false), at);
        }
        FinishLine();
        return value;
    }

    /// <summary>
    /// Reads a simple key (one line, plain or quoted) and the `:` after it; false, with the cursor
    /// anywhere, when the text here is not a key.
    /// </summary>
    private bool TryScanKey(out string key)
    {
        key = "";
        var at = _pos;
        JsonNode? node;
        if (_t[_pos] is '\'' or '"')
        {
            var line = _t.Column(_pos) - _pos;
            node = JsonValue.Create(ScanQuoted());
            if (_t.Column(_pos) - _pos != line)
                return false;
            SkipInlineSpaces();
        }
        else
        {
            var start = _pos;
            while (_t[_pos] is not ('\n' or '\0') && !(_t[_pos] == ':' && IsBlank(_t[_pos + 1])) && !(_t[_pos] == '#' && _pos > start && _t[_pos - 1] is ' ' or '\t'))
            {
                RefuseOtherBreak(_pos);
                _pos++;
            }
            if (_t[_pos] != ':')
                return false;
            var end = _pos;
            while (end > start && _t[end - 1] is ' ' or '\t')
                end--;
            node = Resolve(_t.Text[start..end], start);
        }
        if (_t[_pos] != ':' || !IsBlank(_t[_pos + 1]))
            return false;
        _pos++;
        key = _t.KeyText(node, at);
        return true;
    }

    private JsonNode ParseFlowCollection(int depth)
    {
        if (depth >= ConfigText.MaxDepth)
            throw _t.Error(_pos, $"nesting deeper than {ConfigText.MaxDepth} levels");
        var open = _pos;
        var sequence = _t[_pos] == '[';
        var close = sequence ? ']' : '}';
        _pos++;
        JsonNode result = sequence ? new JsonArray() : new JsonObject();
        while (true)
        {
            SkipFlowSpace(open);
            if (_t[_pos] == close)
            {
                _pos++;
                return result;
            }
            if (sequence)
            {
                ((JsonArray)result).Add(ParseFlowNode(depth));
                SkipFlowSpace(open);
                if (_t[_pos] == ':')
                    throw _t.Error(_pos, "a mapping inside a flow sequence is not supported");
            }
            else
            {
                var keyAt = _pos;
                if (_t[_pos] == '?' && IsBlank(_t[_pos + 1]))
                {
                    _pos++;
                    SkipFlowSpace(open);
                }
                if (_t[_pos] is '[' or '{')
                    throw _t.Error(_pos, "a flow collection as a mapping key is not supported");
                var key = _t.KeyText(ParseFlowNode(depth), keyAt);
                SkipFlowSpace(open);
                JsonNode? value = null;
                if (_t[_pos] == ':')
                {
                    _pos++;
                    SkipFlowSpace(open);
                    if (_t[_pos] is not (',' or '}'))
                        value = ParseFlowNode(depth);
                    SkipFlowSpace(open);
                }
                _t.Add((JsonObject)result, key, value, keyAt);
            }
            if (_t[_pos] == ',')
                _pos++;
            else if (_t[_pos] != close)
                throw _t.Error(_pos, $"expected `,` or `{close}` in the flow collection, found {ConfigText.Describe(_t[_pos])}");
        }
    }

    private JsonNode? ParseFlowNode(int depth)
    {
        var c = _t[_pos];
        if (c is '[' or '{')
            return ParseFlowCollection(depth + 1);
        if (c is '\'' or '"')
            return JsonValue.Create(ScanQuoted());
        if (c is ',' or ']' or '}' or ':')
            throw _t.Error(_pos, $"expected a value, found {ConfigText.Describe(c)}");
        RefuseIndicator(flow: true);
        var at = _pos;
        return Resolve(ScanPlain(-1, flow: true), at);
    }

    /// <summary>Whitespace, line breaks and comments between flow tokens.</summary>
    private void SkipFlowSpace(int open)
    {
        while (true)
        {
            var c = _t[_pos];
            if (c is ' ' or '\t')
            {
                _pos++;
            }
            else if (c == '\n')
            {
                _pos++;
                if (IsDocumentMarker(_pos, '-') || IsDocumentMarker(_pos, '.'))
                    throw _t.Error(_pos, "a document marker inside a flow collection");
            }
            else if (c == '#')
            {
                while (_t[_pos] is not ('\n' or '\0'))
                    RefuseOtherBreak(_pos++);
            }
            else if (c == '\0')
            {
                throw _t.Error(open, "this flow collection is never closed");
            }
            else
            {
                return;
            }
        }
    }

    // PyYAML's scanner ends a plain scalar at ": ", " #", a line break whose next content line is not
    // indented past the enclosing block (or starts a comment), and in flow context at ",[]{}"
    // (yaml/scanner.py:Scanner.scan_plain). Lines fold: one break is a space, each empty line a "\n".
    private string ScanPlain(int parentIndent, bool flow)
    {
        var value = new StringBuilder();
        while (true)
        {
            var runStart = _pos;
            while (true)
            {
                var c = _t[_pos];
                if (c is '\n' or '\0')
                    break;
                if (c == ':' && (IsBlank(_t[_pos + 1]) || (flow && _t[_pos + 1] is ',' or '[' or ']' or '{' or '}')))
                    break;
                if (flow && c is ',' or '[' or ']' or '{' or '}')
                    break;
                if (c == '#' && _pos > runStart && _t[_pos - 1] is ' ' or '\t')
                    break;
                RefuseOtherBreak(_pos);
                _pos++;
            }
            var runEnd = _pos;
            while (runEnd > runStart && _t[runEnd - 1] is ' ' or '\t')
                runEnd--;
            value.Append(_t.Text, runStart, runEnd - runStart);
            if (_t[_pos] != '\n')
            {
                _pos = runEnd;
                return value.ToString();
            }
            var next = _pos + 1;
            var breaks = 0;
            while (true)
            {
                var q = next;
                while (_t[q] == ' ')
                    q++;
                if (_t[q] == '\n')
                {
                    breaks++;
                    next = q + 1;
                    continue;
                }
                next = q;
                break;
            }
            var column = _t.Column(next);
            var ends = _t[next] is '\0' or '#' || IsDocumentMarker(next, '-') || IsDocumentMarker(next, '.')
                || (!flow && column <= parentIndent)
                || (flow && (_t[next] is ',' or '[' or ']' or '{' or '}' || (_t[next] == ':' && IsBlank(_t[next + 1]))));
            if (ends)
            {
                _pos = runEnd;
                return value.ToString();
            }
            value.Append(breaks == 0 ? " " : new string('\n', breaks));
            _pos = next;
        }
    }

    private string ScanQuoted()
    {
        var open = _pos;
        var quote = _t[_pos++];
        var value = new StringBuilder();
        while (true)
        {
            var c = _t[_pos];
            if (c == '\0')
                throw _t.Error(open, "this quoted scalar is never closed");
            if (c == quote)
            {
                if (quote == '\'' && _t[_pos + 1] == '\'')
                {
                    value.Append('\'');
                    _pos += 2;
                    continue;
                }
                _pos++;
                return value.ToString();
            }
            if (c is ' ' or '\t')
            {
                var runStart = _pos;
                while (_t[_pos] is ' ' or '\t')
                    _pos++;
                if (!IsLineBreak(_t[_pos]))
                    value.Append(_t.Text, runStart, _pos - runStart);
                continue;
            }
            if (IsLineBreak(c))
            {
                // PyYAML keeps LS and PS, and reads NEL as LF (yaml/scanner.py:scan_flow_scalar_spaces, scan_line_break).
                var before = value.Length;
                var breaks = SkipQuotedBreaks(value);
                if (c is '\u2028' or '\u2029')
                    value.Insert(before, c);
                else if (breaks == 0)
                    value.Append(' ');
                continue;
            }
            if (c == '\\' && quote == '"')
            {
                _pos++;
                if (IsLineBreak(_t[_pos]))
                {
                    // An escaped line break joins the lines without a space (scan_flow_scalar_non_spaces).
                    SkipQuotedBreaks(value);
                    continue;
                }
                AppendEscape(value);
                continue;
            }
            value.Append(c);
            _pos++;
        }
    }

    /// <summary>
    /// Skips a line break, then the breaks of empty lines (appended, NEL as LF) and the next line's
    /// indentation; returns how many empty lines.
    /// </summary>
    private int SkipQuotedBreaks(StringBuilder value)
    {
        _pos++;
        var breaks = 0;
        while (true)
        {
            if (IsDocumentMarker(_pos, '-') || IsDocumentMarker(_pos, '.'))
                throw _t.Error(_pos, "a document marker inside a quoted scalar");
            while (_t[_pos] is ' ' or '\t')
                _pos++;
            if (!IsLineBreak(_t[_pos]))
                return breaks;
            value.Append(_t[_pos] is '\u2028' or '\u2029' ? _t[_pos] : '\n');
            breaks++;
            _pos++;
        }
    }

    private static bool IsLineBreak(char c) => c is '\n' or '\x85' or '\u2028' or '\u2029';

    /// <summary>NEL, LS and PS break lines for PyYAML; safe_dump writes them raw only inside quotes, so elsewhere they are refused.</summary>
    private void RefuseOtherBreak(int at)
    {
        if (_t[at] is '\x85' or '\u2028' or '\u2029')
            throw _t.Error(at, $"line break character {ConfigText.Describe(_t[at])} outside a quoted scalar is not supported");
    }

    // yaml/scanner.py:Scanner.ESCAPE_REPLACEMENTS and ESCAPE_CODES.
    private void AppendEscape(StringBuilder value)
    {
        var at = _pos - 1;
        var c = _t[_pos++];
        switch (c)
        {
            case '0': value.Append('\0'); return;
            case 'a': value.Append('\a'); return;
            case 'b': value.Append('\b'); return;
            case 't' or '\t': value.Append('\t'); return;
            case 'n': value.Append('\n'); return;
            case 'v': value.Append('\v'); return;
            case 'f': value.Append('\f'); return;
            case 'r': value.Append('\r'); return;
            case 'e': value.Append('\x1B'); return;
            case ' ' or '"' or '/' or '\\': value.Append(c); return;
            case 'N': value.Append('\x85'); return;
            case '_': value.Append('\xA0'); return;
            case 'L': value.Append('\u2028'); return;
            case 'P': value.Append('\u2029'); return;
            case 'x' or 'u' or 'U':
                var digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
                var code = 0L;
                for (var i = 0; i < digits; i++)
                {
                    var d = ConfigText.HexValue(_t[_pos]);
                    if (d < 0)
                        throw _t.Error(_pos, $"expected {digits} hexadecimal digits after `\\{c}`");
                    code = code * 16 + d;
                    _pos++;
                }
                if (code > 0x10FFFF)
                    throw _t.Error(at, $"escape `\\{c}` names no Unicode code point");
                ConfigText.AppendCodePoint(value, (int)code);
                return;
            default:
                throw _t.Error(at, $"unknown escape `\\{c}`");
        }
    }

    private JsonNode? Resolve(string plain, int at)
    {
        if (YamlResolver.IsTimestamp(plain))
            throw _t.Error(at, $"timestamp `{plain}` is not supported (safe_dump quotes such strings)");
        if (plain is "<<" or "=")
            throw _t.Error(at, $"the YAML 1.1 `{plain}` key type is not supported");
        return YamlResolver.TryResolve(plain, out var value) ? value : throw _t.Error(at, $"`{plain}` is out of range or malformed");
    }

    private void RefuseIndicator(bool flow)
    {
        var c = _t[_pos];
        var next = _t[_pos + 1];
        var what = c switch
        {
            '&' => "anchors are not supported",
            '*' => "aliases are not supported",
            '!' => "tags are not supported",
            '|' or '>' => "block scalars are not supported",
            '%' => "directives are not supported",
            '@' or '`' => $"`{c}` is reserved and cannot start a scalar",
            '?' when IsBlank(next) || (flow && next is ',' or '[' or ']' or '{' or '}') => "complex mapping keys (`? `) are not supported",
            ':' when IsBlank(next) => "a mapping value without a key",
            ',' or ']' or '}' => $"unexpected {ConfigText.Describe(c)}",
            '[' or '{' when !flow => "a flow collection is not allowed here",
            '-' when IsBlank(next) => "a block sequence is not allowed here",
            _ => null,
        };
        if (what is not null)
            throw _t.Error(_pos, what);
    }

    /// <summary>After a value: spaces and a comment to the line's end, then on to the next content line.</summary>
    private void FinishLine()
    {
        SkipInlineSpaces();
        if (_t[_pos] == '#')
        {
            while (_t[_pos] is not ('\n' or '\0'))
                RefuseOtherBreak(_pos++);
        }
        if (_t[_pos] is not ('\n' or '\0'))
            throw _t.Error(_pos, _t[_pos] == ':' ? "a mapping value is not allowed here" : $"unexpected {ConfigText.Describe(_t[_pos])} after the value");
        NextContentLine();
    }

    /// <summary>From a line break (or the text's start), skips blank and comment lines; sets <see cref="_lineIndent"/>.</summary>
    private void NextContentLine()
    {
        if (_t[_pos] == '\n')
            _pos++;
        while (_pos < _t.Length)
        {
            var lineStart = _pos;
            while (_t[_pos] == ' ')
                _pos++;
            var indent = _pos - lineStart;
            var c = _t[_pos];
            if (c == '\t')
            {
                while (_t[_pos] is ' ' or '\t')
                    _pos++;
                if (_t[_pos] is not ('\n' or '\0' or '#'))
                    throw _t.Error(_pos, "a tab in indentation");
                c = _t[_pos];
            }
            if (c == '#')
            {
                while (_t[_pos] is not ('\n' or '\0'))
                    RefuseOtherBreak(_pos++);
                c = _t[_pos];
            }
            if (c == '\n')
            {
                _pos++;
                continue;
            }
            if (c == '\0')
                break;
            _lineIndent = indent == 0 && (IsDocumentMarker(_pos, '-') || IsDocumentMarker(_pos, '.')) ? -1 : indent;
            return;
        }
        _lineIndent = -1;
    }

    private bool IsDocumentMarker(int at, char c) =>
        _t.Column(Math.Min(at, _t.Length)) == 0 && _t[at] == c && _t[at + 1] == c && _t[at + 2] == c && IsBlank(_t[at + 3]);

    private void SkipInlineSpaces()
    {
        while (_t[_pos] is ' ' or '\t')
            _pos++;
    }

    private bool AtLineEnd()
    {
        SkipInlineSpaces();
        return _t[_pos] is '\n' or '\0' or '#';
    }

    private static bool IsBlank(char c) => c is ' ' or '\t' or '\n' or '\0';
}
