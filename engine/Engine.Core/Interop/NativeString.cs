using System.Runtime.InteropServices;
using System.Text;

namespace Engine.Interop;

/// <summary>Zero-terminated UTF-8 strings to and from native code.</summary>
public static unsafe class NativeString
{
    public static byte[] Utf8(string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }

    public static string Read(byte* value) => value == null ? "" : Marshal.PtrToStringUTF8((nint)value) ?? "";

    /// <summary>Reads a fixed-size char array field such as deviceName[256].</summary>
    public static string ReadFixed(byte* value, int capacity)
    {
        var span = new ReadOnlySpan<byte>(value, capacity);
        var end = span.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }

    /// <summary>An array of native strings that lives until disposed (layer and extension lists).</summary>
    public sealed class Array : IDisposable
    {
        private readonly nint[] _strings;

        public Array(IReadOnlyList<string> values)
        {
            _strings = new nint[values.Count];
            for (var i = 0; i < values.Count; i++)
                _strings[i] = Marshal.StringToCoTaskMemUTF8(values[i]);
            Pointer = (byte**)NativeMemory.Alloc((nuint)Math.Max(1, values.Count), (nuint)sizeof(nint));
            for (var i = 0; i < values.Count; i++)
                Pointer[i] = (byte*)_strings[i];
        }

        public byte** Pointer { get; }

        public uint Count => (uint)_strings.Length;

        public void Dispose()
        {
            foreach (var s in _strings)
                Marshal.FreeCoTaskMem(s);
            NativeMemory.Free(Pointer);
        }
    }
}
