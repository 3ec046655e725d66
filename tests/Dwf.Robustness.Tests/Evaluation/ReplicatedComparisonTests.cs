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
    /// Coverage on a simulation with a known effect (<see cref="ReplicatedStudySimulation"/>): the 95% interval must
    /// contain the true difference in about 95% of simulated studies of 3 replicates × 400 images; an interval that
    /// ignored training variance (images only) would not.
    /// </summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.15)]
    [InlineData(0.3)]
    public void Difference_SimulatedStudies_IntervalCoversTheTrueEffectAbout95Percent(double trainingSd)
    {
        var result = ReplicatedStudySimulation.Run(studies: 1500, replicates: 3, images: 400, trainingSd, seed: 7);

        result.Coverage.Should().BeInRange(0.93, 0.985, $"training sd {trainingSd}: the interval should be close to nominal (slightly conservative without training variance, where Satterthwaite's degrees of freedom are few)");
        if (trainingSd >= 0.3)
        {
            result.ImagesOnlyCoverage.Should().BeLessThan(0.85, "an images-only interval ignores the variation between training runs");
        }
    }

    [Fact]
    public void Difference_NoTrueEffect_FalsePositivesAtMostAboutFivePercent()
    {
        var result = ReplicatedStudySimulation.Run(studies: 1500, replicates: 3, images: 400, trainingSd: 0.15, alphaA: -1, alphaB: -1, seed: 11);

        result.TrueDifference.Should().Be(0);
        result.Rejections.Should().BeLessThan(0.065);
    }
}
