using Dwf.Robustness.Attacks;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// Soak: <c>steps</c> SGD training steps, then <c>steps</c> attack calls (PGD with 2–5 iterations in turn, so the
/// allocation sizes vary as they do across the sample's experts), on a width-0.25 ResNet-18 at batch 64. Prints RSS
/// and live tensors every tenth of the way, then RSS after <see cref="CpuAllocator.Release"/>: growth that a release
/// takes back is memory the allocator kept for reuse; growth that stays, or a rising tensor count, is a leak. Run it
/// with and without <c>DWF_ALLOCATOR=default</c>.
/// </summary>
internal static class SoakWorkload
{
    public static void Run(int steps)
    {
        manual_seed(0);
        using var model = new ResNet18(10, 0.25);
        using var optimizer = optim.SGD(model.parameters(), 0.01, momentum: 0.9);
        using var images = rand(64, 3, 32, 32);
        using var labels = randint(0, 10, [64]);
        Report("start", 0);

        model.train();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 1; i <= steps; i++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            nn.functional.cross_entropy(model.call(images), labels).backward();
            optimizer.step();
            if (i % Math.Max(1, steps / 10) == 0)
            {
                Report("train", i);
            }
        }

        double trainSeconds = clock.Elapsed.TotalSeconds;
        model.eval();
        var attacks = new[] { 2, 3, 4, 5 }.Select(k => new Pgd(8.0 / 255, 2.0 / 255, k)).ToArray();
        using var generator = Seeds.Generator(1);
        clock.Restart();
        for (int i = 1; i <= steps; i++)
        {
            using var scope = NewDisposeScope();
            attacks[i % attacks.Length].Perturb(model, images, labels, generator);
            if (i % Math.Max(1, steps / 10) == 0)
            {
                Report("attack", i);
            }
        }

        double attackSeconds = clock.Elapsed.TotalSeconds;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        double end = Measure.RssMb();
        bool released = CpuAllocator.Release();
        Console.WriteLine($"RESULT soak allocator {(CpuAllocator.IsTuned ? "tuned" : "default")}: {steps} train steps {trainSeconds:F0} s, " +
                          $"{steps} attacks {attackSeconds:F0} s; RSS at end {end:F0} MB, after Release {Measure.RssMb():F0} MB " +
                          $"(released: {released}); peak {Measure.PeakRssMb():F0} MB; live tensors {DisposeScopeManager.Statistics.ThreadTotalLiveCount}");
    }

    private static void Report(string phase, int i)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Console.WriteLine($"{phase} {i}: RSS {Measure.RssMb():F0} MB, live tensors {DisposeScopeManager.Statistics.ThreadTotalLiveCount}");
    }
}
