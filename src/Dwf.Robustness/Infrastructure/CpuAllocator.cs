using System.Runtime.InteropServices;

namespace Dwf.Robustness.Infrastructure;

/// <summary>
/// Tunes the C allocator that libtorch's CPU tensors come from, so that the large activation buffers of one training
/// step or attack iteration are reused by the next instead of being handed back to the operating system and faulted
/// in again, page by page, on the next allocation.
/// </summary>
/// <remarks>
/// <para>
/// With glibc's defaults, blocks above a dynamic threshold (at most 32 MiB) are served by <c>mmap</c> and returned
/// with <c>munmap</c> when freed, and free memory at the top of the heap is returned once it exceeds a trim threshold.
/// A ResNet-18 step frees and re-allocates the same activation sizes every iteration, so every step pays the kernel
/// for zeroed pages again: on this project's 2-core machine over 100,000 page faults per second of a PGD benchmark
/// (<c>perf stat</c>). <see cref="Tune"/> calls <c>mallopt(M_MMAP_MAX, 0)</c> (large blocks come from the heap too),
/// <c>mallopt(M_TRIM_THRESHOLD, 2 GiB)</c> (free memory is kept unless 2 GiB of it pile up at the top of the heap) and
/// <c>mallopt(M_MXFAST, 0)</c> (no fastbins: small freed chunks coalesce at once instead of pinning the large
/// blocks around them, which otherwise made the heap creep up by about 7% over 60 epochs).
/// docs/performance.md has the before/after numbers.
/// </para>
/// <para>
/// One limit of glibc remains: threads other than the process's first one get memory from per-thread heaps of at
/// most 64 MiB, and glibc unmaps such a heap once it is empty, whatever the trim threshold. A block that needs a heap
/// of its own there (measured with a 32 MiB block) is therefore still faulted in again on every allocation; the
/// main thread is not affected.
/// </para>
/// <para>
/// The cost: the process's resident memory stays at its peak heap size instead of shrinking between steps, and
/// memory freed by one phase (for example a large evaluation batch) is kept for later phases. The setting is
/// process-wide and cannot be undone; call it once at start-up of a process that trains or attacks models, before
/// other threads allocate (glibc documents <c>mallopt</c> as unsafe to call concurrently with allocations), not
/// from a library that shares its process with unrelated work. It affects only glibc on Linux; elsewhere
/// (Windows, macOS, musl) <see cref="Tune"/> does nothing and returns false. The CUDA caching allocator is not
/// involved: GPU memory is already reused by libtorch.
/// </para>
/// </remarks>
public static partial class CpuAllocator
{
    private const int MMxFast = 1;
    private const int MTrimThreshold = -1;
    private const int MMmapMax = -4;
    private static readonly object Gate = new();

    /// <summary>True once <see cref="Tune"/> has succeeded in this process.</summary>
    public static bool IsTuned { get; private set; }

    /// <summary>
    /// Makes glibc keep freed memory for reuse (no <c>mmap</c> for large blocks, a 2 GiB trim threshold, no fastbins). Safe to call more
    /// than once and from several threads.
    /// </summary>
    /// <returns>True when the allocator is now tuned; false where the platform has no glibc <c>mallopt</c>.</returns>
    public static bool Tune()
    {
        lock (Gate)
        {
            if (IsTuned)
            {
                return true;
            }

            if (!OperatingSystem.IsLinux())
            {
                return false;
            }

            try
            {
                // mallopt returns 1 on success, 0 on error.
                IsTuned = Mallopt(MMmapMax, 0) == 1 && Mallopt(MTrimThreshold, int.MaxValue) == 1 && Mallopt(MMxFast, 0) == 1;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                IsTuned = false; // not glibc (for example musl): nothing to tune
            }

            return IsTuned;
        }
    }

    /// <summary>
    /// Hands the free memory glibc keeps (in every arena, not only at the top of the heap) back to the operating
    /// system: <c>malloc_trim(0)</c>. With <see cref="Tune"/> freed activation memory is kept for reuse, which is
    /// what makes steps fast; between phases whose allocation sizes differ (an expert trained with another attack,
    /// the joint phase, evaluation) the kept memory no longer fits and the resident size climbs. Calling this between
    /// phases bounds it by the largest phase instead of the sum. Costs a few milliseconds; safe on any thread.
    /// </summary>
    /// <returns>True when memory was returned; false when there was none to return or the platform has no glibc.</returns>
    public static bool Release()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return MallocTrim(0) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    [LibraryImport("libc.so.6", EntryPoint = "mallopt")]
    private static partial int Mallopt(int parameter, int value);
}
