using System.Runtime.InteropServices;

namespace Engine.Interop;

#pragma warning disable CA1707, IDE1006 // names as in the C library

/// <summary>The few C library calls the engine makes directly (Linux).</summary>
internal static unsafe partial class Libc
{
    private const string Library = "libc.so.6";

    /// <summary>MADV_HUGEPAGE: back the range with transparent huge pages where the kernel can.</summary>
    public const int MadvHugePage = 14;

    [LibraryImport(Library)] public static partial int madvise(void* address, nuint length, int advice);
}
