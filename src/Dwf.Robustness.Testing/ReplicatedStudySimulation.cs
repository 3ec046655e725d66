using Dwf.Robustness.Evaluation;

namespace Dwf.Robustness.Testing;

/// <summary>How often the intervals of a replicated comparison contain the true effect, by simulation.</summary>
/// <param name="Studies">Simulated studies.</param>
/// <param name="Coverage">Share whose <see cref="ReplicatedComparison.Difference"/> 95% interval contains the true difference.</param>
/// <param name="ImagesOnlyCoverage">Share whose images-only interval (a paired normal interval over images, training variation ignored) contains it.</param>
/// <param name="Rejections">Share whose p-value is below 0.05 (the power when the true effect is not 0, the false-positive rate when it is).</param>
/// <param name="TrueDifference">The true difference in accuracy of the simulated models.</param>
public sealed record CoverageResult(int Studies, double Coverage, double ImagesOnlyCoverage, double Rejections, double TrueDifference);

/// <summary>
/// Simulated replicated studies with a known effect, to check <see cref="ReplicatedComparison"/> or to plan a study
/// (how many replicates and images a given effect needs). Per image a difficulty z ~ N(0,1) shared by both models;
/// per replicate and model a training effect u ~ N(0, σ²); P(correct) = Φ(α + z + u). Over images and training runs the
/// true accuracy is Φ(α/√(2+σ²)), so the true difference is known exactly.
/// </summary>
public static class ReplicatedStudySimulation
{
    /// <summary>Simulates <paramref name="studies"/> studies of <paramref name="replicates"/> × <paramref name="images"/> and reports the coverage.</summary>
    /// <param name="studies">Simulated studies (≥ 1).</param>
    /// <param name="replicates">Training replicates per study (≥ 2).</param>
    /// <param name="images">Test images per study (≥ 2).</param>
    /// <param name="trainingSd">σ, the spread of a training run's effect, in probit units (0.15 moves an accuracy near 25% by about ±4 points).</param>
    /// <param name="alphaA">Model A's level α (−0.9: about 26% accuracy with σ = 0).</param>
    /// <param name="alphaB">Model B's level (equal to <paramref name="alphaA"/> for no effect).</param>
    /// <param name="seed">Seed of the simulation.</param>
    public static CoverageResult Run(int studies, int replicates, int images, double trainingSd, double alphaA = -0.9, double alphaB = -1.1, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(studies, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicates, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(images, 2);
        if (!(trainingSd >= 0) || double.IsInfinity(trainingSd))
        {
            throw new ArgumentOutOfRangeException(nameof(trainingSd), trainingSd, "The training spread σ must be ≥ 0 and finite.");
        }

        var random = new Random(seed);
        double scale = Math.Sqrt(2 + trainingSd * trainingSd);
        double truth = Phi(alphaA / scale) - Phi(alphaB / scale);
        int covered = 0, imagesOnly = 0, rejected = 0;
        var z = new double[images];
        for (int s = 0; s < studies; s++)
        {
            for (int i = 0; i < images; i++)
            {
                z[i] = Normal(random);
            }

            var a = new bool[replicates][];
            var b = new bool[replicates][];
            for (int r = 0; r < replicates; r++)
            {
                double ua = trainingSd * Normal(random), ub = trainingSd * Normal(random);
                a[r] = z.Select(zi => random.NextDouble() < Phi(alphaA + zi + ua)).ToArray();
                b[r] = z.Select(zi => random.NextDouble() < Phi(alphaB + zi + ub)).ToArray();
            }

            var e = ReplicatedComparison.Difference(a, b);
            covered += e.Interval.Lower <= truth && truth <= e.Interval.Upper ? 1 : 0;
            rejected += e.PValue < 0.05 ? 1 : 0;

            var d = Enumerable.Range(0, images).Select(i => Enumerable.Range(0, replicates).Average(r => (a[r][i] ? 1.0 : 0) - (b[r][i] ? 1.0 : 0))).ToArray();
            double mean = d.Average(), se = Math.Sqrt(d.Sum(x => (x - mean) * (x - mean)) / (images - 1) / images);
            imagesOnly += Math.Abs(mean - truth) <= ConfidenceInterval.Z95 * se ? 1 : 0;
        }

        return new CoverageResult(studies, (double)covered / studies, (double)imagesOnly / studies, (double)rejected / studies, truth);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Φ(x) through erfc, by the Chebyshev fit of Numerical Recipes' erfcc (fractional error below 1.2e-7).</summary>
    private static double Phi(double x)
    {
        double z = Math.Abs(x / Math.Sqrt(2)), t = 1 / (1 + 0.5 * z);
        double erfc = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
                      t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
    }
}
