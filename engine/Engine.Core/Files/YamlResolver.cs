using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Engine.Files;

/// <summary>
/// PyYAML's implicit resolution of plain scalars (YAML 1.1): the patterns of yaml/resolver.py
/// (Resolver.add_implicit_resolver for bool, float, int, null, timestamp) and the conversions of
/// yaml/constructor.py (SafeConstructor.construct_yaml_int, construct_yaml_float). The patterns run
/// without backtracking, so a long scalar costs linear time.
/// </summary>
internal static class YamlResolver
{
    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    private static readonly Regex _float = new(
        @"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\z",
        Options);

    private static readonly Regex _int = new(
        @"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)\z",
        Options);

    private static readonly Regex _timestamp = new(
        @"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)\z",
        Options);

    public static bool IsTimestamp(string plain) => plain.Length > 0 && char.IsAsciiDigit(plain[0]) && _timestamp.IsMatch(plain);

    /// <summary>
    /// The value of a plain scalar: null, bool, long (a double when it does not fit, as Python's int
    /// would be exact), double or the string itself; false when a number is malformed.
    /// </summary>
    public static bool TryResolve(string plain, out JsonNode? value)
    {
        value = null;
        switch (plain)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return true;
            case "yes" or "Yes" or "YES" or "true" or "True" or "TRUE" or "on" or "On" or "ON":
                value = JsonValue.Create(true);
                return true;
            case "no" or "No" or "NO" or "false" or "False" or "FALSE" or "off" or "Off" or "OFF":
                value = JsonValue.Create(false);
                return true;
        }
        if ("-+0123456789.".Contains(plain[0], StringComparison.Ordinal))
        {
            // The resolver tries float before int for these first characters (the order of registration).
            if (_float.IsMatch(plain))
                return TryFloat(plain, out value);
            if (_int.IsMatch(plain))
                return TryInt(plain, out value);
        }
        value = JsonValue.Create(plain);
        return true;
    }

    private static bool TryInt(string plain, out JsonNode? value)
    {
        value = null;
        var text = plain.Replace("_", "", StringComparison.Ordinal);
        var negative = text[0] == '-';
        if (text[0] is '-' or '+')
            text = text[1..];
        if (text.Length == 0)
            return false;
        var isDecimal = text == "0" || (text[0] != '0' && !text.Contains(':', StringComparison.Ordinal));
        if (isDecimal && long.TryParse(negative ? "-" + text : text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var signed))
        {
            value = JsonValue.Create(signed);
            return true;
        }
        double magnitude;
        if (text.StartsWith("0b", StringComparison.Ordinal))
            magnitude = Digits(text.AsSpan(2), 2);
        else if (text.StartsWith("0x", StringComparison.Ordinal))
            magnitude = Digits(text.AsSpan(2), 16);
        else if (text[0] == '0')
            magnitude = Digits(text.AsSpan(1), 8);
        else if (text.Contains(':', StringComparison.Ordinal))
            magnitude = Sexagesimal(text);
        else
            magnitude = double.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        if (double.IsNaN(magnitude))
            return false;
        // Exact when it fits a long: the digits are re-read as an integer rather than trusted to a double.
        if (magnitude < 9.2e18 && TryExact(text, out var exact))
            value = JsonValue.Create(negative ? -exact : exact);
        else
            value = JsonValue.Create(negative ? -magnitude : magnitude);
        return true;
    }

    private static bool TryExact(string text, out long value)
    {
        value = 0;
        try
        {
            checked
            {
                if (text == "0")
                    return true;
                if (text.StartsWith("0b", StringComparison.Ordinal) || text.StartsWith("0x", StringComparison.Ordinal))
                    return Exact(text.AsSpan(2), text[1] == 'b' ? 2 : 16, out value);
                if (text[0] == '0')
                    return Exact(text.AsSpan(1), 8, out value);
                if (text.Contains(':', StringComparison.Ordinal))
                {
                    foreach (var part in text.Split(':'))
                        value = value * 60 + long.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture);
                    return true;
                }
                return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
            }
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private static bool Exact(ReadOnlySpan<char> digits, int radix, out long value)
    {
        value = 0;
        if (digits.IsEmpty)
            return false;
        foreach (var c in digits)
            value = checked(value * radix + ConfigText.HexValue(c));
        return true;
    }

    private static double Digits(ReadOnlySpan<char> digits, int radix)
    {
        if (digits.IsEmpty)
            return double.NaN;
        var value = 0.0;
        foreach (var c in digits)
            value = value * radix + ConfigText.HexValue(c);
        return value;
    }

    private static double Sexagesimal(string text)
    {
        var value = 0.0;
        foreach (var part in text.Split(':'))
            value = value * 60 + double.Parse(part, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        return value;
    }

    private static bool TryFloat(string plain, out JsonNode? value)
    {
        var text = plain.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        var sign = text[0] == '-' ? -1.0 : 1.0;
        if (text[0] is '-' or '+')
            text = text[1..];
        var magnitude = text switch
        {
            ".inf" => double.PositiveInfinity,
            ".nan" => double.NaN,
            _ when text.Contains(':', StringComparison.Ordinal) => Sexagesimal(text),
            _ => double.Parse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture),
        };
        value = JsonValue.Create(double.IsNaN(magnitude) ? magnitude : sign * magnitude);
        return true;
    }
}
