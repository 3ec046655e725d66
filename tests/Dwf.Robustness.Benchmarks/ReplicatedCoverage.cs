using System.Globalization;
using Dwf.Robustness.Testing;

namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// replicated-coverage [studies]: the coverage of ReplicatedComparison's 95% interval, and of an images-only interval,
/// on simulated studies of 2, 3 and 5 replicates × 1,000 images at several training spreads, plus the false-positive
/// rate with no true effect (docs/evaluation.md). CPU only, no libtorch.
/// </summary>
public static class ReplicatedCoverage
{
    public static void Run(int studies)
    {
        Console.WriteLine($"{studies} simulated studies per row; true difference about 4 points (α −0.9 vs −1.1), or none");
        Console.WriteLine("| replicates | images | training σ | true difference | coverage | images-only coverage | p < 0.05 |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (int replicates in new[] { 2, 3, 5 })
        {
            foreach (double sd in new[] { 0.0, 0.15, 0.3 })
            {
                foreach (bool effect in new[] { true, false })
                {
                    var r = ReplicatedStudySimulation.Run(studies, replicates, 1000, sd, -0.9, effect ? -1.1 : -0.9, seed: 100 * replicates + (int)(sd * 100) + (effect ? 1 : 0));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {replicates} | 1000 | {sd:0.00} | {100 * r.TrueDifference:0.00} | {r.Coverage:0.000} | {r.ImagesOnlyCoverage:0.000} | {r.Rejections:0.000} |"));
                }
            }
        }
    }
}
