namespace WeightConverter.Pickle;

/// <summary>
/// `_codecs.encode(long_str, 'latin1')`: bytes whose length and validity are known when read (one lead
/// byte per character, none above U+00FF) but which are decoded only when a tensor reads them, so a
/// Python-3 protocol-2 pickle's array data is never held twice.
/// </summary>
internal sealed record PyLatin1Bytes(PyText Text, long Length)
{
    public byte[] Decode() => PickleGlobals.Latin1(Text.Utf8.Span);
}
