namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// Where a joint-training batch's time goes (the workload <c>joint-batch-w0.25</c>, taken apart): FGSM on 43 images,
/// PGD-10 on 42, and the training forward + backward + SGD steps on all 128, each timed over <paramref name="runs"/>
/// batches after one warm-up batch. Prints the median seconds of each part; <c>reference/bench.py joint</c> prints
/// the same for PyTorch.
/// </summary>
internal static class JointBreakdown
{
    public static void Run(int runs = 5)
    {
        using var workload = new JointBatchWorkload();
        workload.Step();
        var parts = Enumerable.Range(0, runs).Select(_ => workload.Step()).ToList();
        double fgsm = Measure.Median(parts.Select(p => p.Fgsm)), pgd = Measure.Median(parts.Select(p => p.Pgd)), train = Measure.Median(parts.Select(p => p.Train));
        Console.WriteLine($"joint batch parts (median s): fgsm {fgsm:F3}, pgd {pgd:F3}, train {train:F3}; sum {fgsm + pgd + train:F3}");
    }
}
