using Dwf.Robustness.Evaluation;

namespace Dwf.Robustness.Tests.Evaluation;

public class ReplicatedComparisonTests
{
    [Fact]
    public void Mean_HandComputedTable_MatchesTwoWayAnova()
    {
        // 2 replicates × 3 images. Grand mean 3.5; row means 2 and 5 (MS_rep = 3·(1.5² + 1.5²)/1 = 13.5); column means
        // 2.5, 4.5, 3.5 (MS_img = 2·(1 + 1 + 0)/2 = 2); residuals y − row − col + mean = [0, 1, −1], [0, −1, 1]
        // (SS 4 on 2 degrees of freedom: MS_res = 2).
        double[][] y = [[1, 4, 1], [4, 5, 6]];

        var e = ReplicatedComparison.Mean(y);

        e.Estimate.Should().BeApproximately(3.5, 1e-12);
        e.ReplicateMeans.Should().Equal([2.0, 5.0], (a, b) => Math.Abs(a - b) < 1e-12);
        e.StandardError.Should().BeApproximately(Math.Sqrt((13.5 + 2 - 2) / 6), 1e-12);
        // Satterthwaite: 13.5² / (13.5²/1 + 2²/2 + 2²/2) = 0.98, floored at 1.
        e.DegreesOfFreedom.Should().Be(1);
        e.Interval.Upper.Should().BeApproximately(3.5 + 12.7062047361747 * Math.Sqrt(13.5 / 6), 1e-5);
    }

    [Fact]
    public void Difference_IdenticalModels_IsZeroWithPValueOne()
    {
        bool[][] a = [[true, false, true, true], [false, false, true, true], [true, true, false, true]];

        var e = ReplicatedComparison.Difference(a, a);

        e.Estimate.Should().Be(0);
        e.PValue.Should().Be(1);
        e.Interval.Should().Be(new ConfidenceInterval(0, 0));
    }

    [Fact]
    public void Difference_OneReplicate_ThrowsNamingTheFix()
    {
        bool[][] a = [[true, false]];

        var act = () => ReplicatedComparison.Difference(a, a);

        act.Should().Throw<ArgumentException>().WithMessage("*at least 2 training replicates*McNemar*");
    }

    [Fact]
    public void Difference_DifferentImageCounts_ThrowsSayingWhich()
    {
        bool[][] a = [[true, false, true], [true, true, true]];
        bool[][] b = [[true, false], [true, true]];

        var act = () => ReplicatedComparison.Difference(a, b);

        act.Should().Throw<ArgumentException>().WithMessage("*2×3 and 2×2*");
    }

    [Fact]
    public void Mean_RaggedTable_Throws()
    {
        double[][] y = [[1, 2, 3], [1, 2]];

        var act = () => ReplicatedComparison.Mean(y);

        act.Should().Throw<ArgumentException>().WithMessage("*same images*3, 2*");
    }

    [Fact]
    public void Difference_ShiftedTrainingRuns_TrainingShareDominates()
    {
        // Replicates that differ a lot (every image right in one, none in another) against a fixed model: the variance
        // comes from training, not from the images.
        bool[][] a = [Enumerable.Repeat(true, 50).ToArray(), Enumerable.Repeat(false, 50).ToArray(), Enumerable.Range(0, 50).Select(i => i % 2 == 0).ToArray()];
        bool[][] b = [.. Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 50).Select(i => i % 2 == 0).ToArray())];

        var e = ReplicatedComparison.Difference(a, b);

        e.TrainingShare.Should().BeGreaterThan(0.9);
    }

    /// <summary>
    /// Coverage on a simulation with a known effect: per image a difficulty z ~ N(0,1) shared by both models, per
    /// replicate and model a training effect u ~ N(0, σ²); P(correct) = Φ(α + z + u). The true difference over images
    /// and training runs is Φ(α_A/√(2+σ²)) − Φ(α_B/√(2+σ²)). The 95% interval must contain it in about 95% of
    /// simulated studies of 3 replicates × 400 images; an interval that ignored training variance (images only) would not.
    /// </summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.15)]
    [InlineData(0.3)]
    public void Difference_SimulatedStudies_IntervalCoversTheTrueEffectAbout95Percent(double trainingSd)
    {
        var (coverage, imagesOnlyCoverage) = ReplicatedCoverage.Simulate(studies: 1500, replicates: 3, images: 400, trainingSd, seed: 7);

        coverage.Should().BeInRange(0.93, 0.985, $"training sd {trainingSd}: the interval should be close to nominal (slightly conservative without training variance, where Satterthwaite's degrees of freedom are few)");
        if (trainingSd >= 0.3)
        {
            imagesOnlyCoverage.Should().BeLessThan(0.85, "an images-only interval ignores the variation between training runs");
        }
    }
}

/// <summary>The coverage simulation of <see cref="ReplicatedComparison"/> (also run at a larger size for docs/evaluation.md).</summary>
internal static class ReplicatedCoverage
{
    private const double AlphaA = -0.9, AlphaB = -1.1; // accuracies near 26% and 22%, a 4-point true effect

    public static (double Coverage, double ImagesOnlyCoverage) Simulate(int studies, int replicates, int images, double trainingSd, int seed)
    {
        var random = new Random(seed);
        double scale = Math.Sqrt(2 + trainingSd * trainingSd);
        double truth = Phi(AlphaA / scale) - Phi(AlphaB / scale);
        int covered = 0, imagesOnly = 0;
        for (int s = 0; s < studies; s++)
        {
            var z = Enumerable.Range(0, images).Select(_ => Normal(random)).ToArray();
            var a = new bool[replicates][];
            var b = new bool[replicates][];
            for (int r = 0; r < replicates; r++)
            {
                double ua = trainingSd * Normal(random), ub = trainingSd * Normal(random);
                a[r] = z.Select(zi => random.NextDouble() < Phi(AlphaA + zi + ua)).ToArray();
                b[r] = z.Select(zi => random.NextDouble() < Phi(AlphaB + zi + ub)).ToArray();
            }

            var e = ReplicatedComparison.Difference(a, b);
            covered += e.Interval.Lower <= truth && truth <= e.Interval.Upper ? 1 : 0;

            // The images-only alternative: per-image mean difference over replicates, a paired z-interval over images.
            var d = Enumerable.Range(0, images).Select(i => Enumerable.Range(0, replicates).Average(r => (a[r][i] ? 1.0 : 0) - (b[r][i] ? 1.0 : 0))).ToArray();
            double mean = d.Average(), se = Math.Sqrt(d.Sum(x => (x - mean) * (x - mean)) / (images - 1) / images);
            imagesOnly += Math.Abs(mean - truth) <= ConfidenceInterval.Z95 * se ? 1 : 0;
        }

        return ((double)covered / studies, (double)imagesOnly / studies);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Φ(x) through erfc, by the Chebyshev fit of Numerical Recipes' erfcc (fractional error below 1.2e-7).</summary>
    private static double Phi(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    private static double Erfc(double x)
    {
        double z = Math.Abs(x), t = 1 / (1 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
                   t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
