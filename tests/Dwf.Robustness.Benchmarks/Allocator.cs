using System.Runtime.InteropServices;

namespace Dwf.Robustness.Benchmarks;

/// <summary>Experiment: glibc malloc tuning at run time (DWF_MALLOPT=1), to test whether page faults explain the mixture's overhead.</summary>
internal static partial class Allocator
{
    private const int MTrimThreshold = -1;
    private const int MMmapThreshold = -3;

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int Mallopt(int param, int value);

    public static void ConfigureFromEnvironment()
    {
        if (Environment.GetEnvironmentVariable("DWF_MALLOPT") == "1" && OperatingSystem.IsLinux())
        {
            int a = Mallopt(MMmapThreshold, 32 << 20);
            int b = Mallopt(MTrimThreshold, 1 << 30);
            Console.Error.WriteLine($"mallopt: mmap threshold 32 MiB ({a}), trim threshold 1 GiB ({b})");
        }
    }
}
