namespace WeightConverter.Pickle;

/// <summary>
/// A long Python str (over 4 KiB of UTF-8), kept as a slice of the pickle: Python 3 writes numpy data as
/// `_codecs.encode(str, 'latin1')` under protocols 0-2, and decoding that to a .NET string first would
/// hold the data three times. Short strings (keys, dtype codes) are ordinary .NET strings.
/// </summary>
internal sealed record PyText(ReadOnlyMemory<byte> Utf8);
