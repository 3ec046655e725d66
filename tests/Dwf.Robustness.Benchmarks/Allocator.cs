using Dwf.Robustness.Infrastructure;

namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// The benchmarks run as the samples do: with <see cref="CpuAllocator.Tune"/>. <c>DWF_ALLOCATOR=default</c> keeps
/// glibc's defaults, for before/after comparisons.
/// </summary>
internal static class Allocator
{
    public static void ConfigureFromEnvironment()
    {
        bool tuned = Environment.GetEnvironmentVariable("DWF_ALLOCATOR") != "default" && CpuAllocator.Tune();
        Console.Error.WriteLine($"allocator: {(tuned ? "tuned (CpuAllocator.Tune)" : "glibc defaults")}");
    }
}
