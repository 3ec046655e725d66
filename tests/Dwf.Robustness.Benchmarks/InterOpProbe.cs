using Dwf.Robustness.Experts;
using static TorchSharp.torch;

namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// Whether running experts side by side pays: the nine experts' forward+backward (width 0.25) one after another with
/// two intra-op threads, alternated in one process with two experts at a time on two .NET threads with one intra-op
/// thread each. The probe behind "experts in parallel: not adopted" in docs/performance.md.
/// </summary>
internal static class InterOpProbe
{
    public static void Run(int batch, int pairs = 9)
    {
        var (x, y) = Workloads.Inputs(batch);
        var experts = Workloads.Experts(9, 0.25);
        int threads = get_num_threads();
        foreach (var e in experts)
        {
            e.Module.train();
        }

        void One(IExpert e)
        {
            using var scope = NewDisposeScope();
            e.Module.zero_grad();
            nn.functional.cross_entropy(e.Module.call(x), y).backward();
        }

        void OneAfterAnother()
        {
            foreach (var e in experts)
            {
                One(e);
            }
        }

        void SideBySide()
        {
            set_num_threads(1);
            try
            {
                Parallel.ForEach(experts, new ParallelOptions { MaxDegreeOfParallelism = threads }, One);
            }
            finally
            {
                set_num_threads(threads);
            }
        }

        var (sequential, parallel) = Measure.Alternate(OneAfterAnother, SideBySide, pairs, warmup: 2);
        Console.WriteLine($"RESULT interop batch {batch}: one after another ({threads} threads) {batch / Measure.Median(sequential):F1} img/s, " +
                          $"{threads} at a time (1 thread each) {batch / Measure.Median(parallel):F1} img/s; time ratio " +
                          Measure.RatioSummary(parallel.Zip(sequential, (p, s) => p / s)));
        foreach (var e in experts)
        {
            e.Module.Dispose();
        }

        x.Dispose();
        y.Dispose();
    }
}
