namespace WeightConverter.Pickle;

/// <summary>A Python bytes/bytearray value (or a long Python-2 byte string): a slice of the pickle's buffer, never copied.</summary>
internal sealed record PyBytes(ReadOnlyMemory<byte> Data);
