using System.Runtime.InteropServices;
using Dwf.Robustness.Moe;
using static TorchSharp.torch;

namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// Whether glibc's fastbins (off in <see cref="Dwf.Robustness.Infrastructure.CpuAllocator.Tune"/>: <c>M_MXFAST=0</c>)
/// cost the mixture's training step time. glibc lets <c>M_MXFAST</c> change at run time, so one process alternates
/// <paramref name="pairs"/> mixture forward+backward steps with fastbins off and on (glibc's default limit, 128 bytes on
/// 64-bit), which removes the between-process noise. Run it tuned (the default); prints the time ratio on/off.
/// </summary>
internal static partial class FastbinsProbe
{
    private const int MMxFast = 1;
    private const int GlibcDefaultMaxFast = 128;

    public static void Run(int pairs = 15)
    {
        var (x, y) = Workloads.Inputs();
        using var moe = new MixtureOfExperts(Workloads.Experts(9, 0.25));
        moe.train();
        var ratios = new List<double>();
        for (int i = -1; i < pairs; i++)
        {
            Mallopt(MMxFast, 0);
            double off = Measure.Seconds(() => ModelWorkloads.ForwardBackwardStep(moe, x, y));
            Mallopt(MMxFast, GlibcDefaultMaxFast);
            double on = Measure.Seconds(() => ModelWorkloads.ForwardBackwardStep(moe, x, y));
            if (i >= 0)
            {
                ratios.Add(on / off);
            }
        }

        Mallopt(MMxFast, 0);
        Console.WriteLine($"RESULT fastbins mixture step, {pairs} pairs: fastbins on / off time ratio {Measure.RatioSummary(ratios)}");
        x.Dispose();
        y.Dispose();
    }

    [LibraryImport("libc.so.6", EntryPoint = "mallopt")]
    private static partial int Mallopt(int parameter, int value);
}
