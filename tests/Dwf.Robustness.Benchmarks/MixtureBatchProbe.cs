using Dwf.Robustness.Attacks;
using Dwf.Robustness.Moe;
using static TorchSharp.torch;

namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// How the evaluation's cost per image-step of the 9-expert width-0.25 mixture depends on the batch size: PGD-10 in
/// eval mode (as the evaluator attacks) on the same random images, the batch sizes alternated <see cref="Rounds"/>
/// times in one process; milliseconds per image-iteration (median over rounds) and the peak RSS. mixture-batch [sizes…].
/// </summary>
internal static class MixtureBatchProbe
{
    private const int Rounds = 3;

    public static void Run(IReadOnlyList<int> sizes)
    {
        const int steps = 10;
        using var moe = new MixtureOfExperts(Workloads.Experts(9, 0.25));
        moe.eval();
        var pgd = new Pgd(steps: steps);
        var perSize = sizes.ToDictionary(s => s, _ => new List<double>());
        for (int round = 0; round < Rounds; round++)
        {
            foreach (int size in sizes)
            {
                var (x, y) = Workloads.Inputs(size);
                using var gen = new Generator(4);
                double seconds = Measure.MedianSeconds(() => pgd.Perturb(moe, x, y, gen).Dispose(), warmup: round == 0 ? 1 : 0, runs: 1);
                perSize[size].Add(1000 * seconds / (size * steps));
                x.Dispose();
                y.Dispose();
            }
        }

        foreach (int size in sizes)
        {
            var ms = perSize[size].Order().ToList();
            Console.WriteLine($"RESULT mixture-batch {size}: {ms[ms.Count / 2]:F2} ms per image-iteration (rounds: {string.Join(", ", perSize[size].Select(v => v.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))}); threads {get_num_threads()}");
        }

        Console.WriteLine($"peak RSS {Measure.PeakRssMb():F0} MB");
    }
}
