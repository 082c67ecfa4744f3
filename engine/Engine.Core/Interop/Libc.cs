using System.Runtime.InteropServices;

namespace Engine.Interop;

#pragma warning disable CA1707, IDE1006 // names as in the C library

/// <summary>The few C library calls the engine makes directly (Linux).</summary>
internal static unsafe partial class Libc
{
    private const string Library = "libc.so.6";

    /// <summary>MADV_HUGEPAGE: back the range with transparent huge pages where the kernel can.</summary>
    public const int MadvHugePage = 14;

    /// <summary>CLOCK_PROCESS_CPUTIME_ID: CPU time of every thread of this process, to the nanosecond.</summary>
    public const int ClockProcessCpuTime = 2;

    [LibraryImport(Library)] public static partial int madvise(void* address, nuint length, int advice);

    [LibraryImport(Library)] public static partial int clock_gettime(int clock, Timespec* time);

    public struct Timespec
    {
        public long tv_sec;
        public long tv_nsec;
    }

    /// <summary>CPU milliseconds of every thread of this process (NaN where the clock is unavailable).</summary>
    public static double ProcessCpuMilliseconds()
    {
        if (!OperatingSystem.IsLinux())
            return double.NaN;
        Timespec time;
        return clock_gettime(ClockProcessCpuTime, &time) == 0 ? time.tv_sec * 1e3 + time.tv_nsec / 1e6 : double.NaN;
    }
}
