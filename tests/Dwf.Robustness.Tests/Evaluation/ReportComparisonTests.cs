using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Tests.TestSupport;

namespace Dwf.Robustness.Tests.Evaluation;

public class ReportComparisonTests(EvaluationFixture f) : IClassFixture<EvaluationFixture>
{
    [Theory]
    [InlineData(0, 5, 0.0625)]         // 2 · (1/2)^5
    [InlineData(2, 8, 0.109375)]       // 2 · (1 + 10 + 45) / 1024
    [InlineData(8, 2, 0.109375)]       // symmetric
    [InlineData(3, 3, 1.0)]            // capped at 1
    [InlineData(0, 0, 1.0)]            // no discordant pair: no evidence
    [InlineData(40, 60, 0.056887933)]  // 2 · P(X ≤ 40), X ~ Bin(100, ½)
    public void McNemarExact_HandComputed_Matches(int b, int c, double expected)
    {
        ReportComparison.McNemarExact(b, c).Should().BeApproximately(expected, 1e-8);
    }

    [Fact]
    public void McNemarExact_ThousandsOfPairs_NoOverflow()
    {
        ReportComparison.McNemarExact(4000, 4000).Should().BeApproximately(1.0, 1e-9);
        ReportComparison.McNemarExact(4000, 4300).Should().BeInRange(1e-6, 0.05);
    }

    [Theory]
    [InlineData(0, 10, 0.0, 0.27753)]
    [InlineData(5, 10, 0.23659, 0.76341)]
    [InlineData(10, 10, 0.72247, 1.0)]
    public void Wilson_HandComputed_Matches(int k, int n, double lower, double upper)
    {
        var ci = ConfidenceInterval.Wilson(k, n);
        ci.Lower.Should().BeApproximately(lower, 1e-5);
        ci.Upper.Should().BeApproximately(upper, 1e-5);
    }

    [Fact]
    public void Paired_KnownTable_DifferenceCountsAndInterval()
    {
        // 100 images: both right on 50, only A on 15, only B on 5, neither on 30.
        var a = Enumerable.Range(0, 100).Select(i => i < 65).ToArray();
        var b = Enumerable.Range(0, 100).Select(i => i < 50 || (i >= 65 && i < 70)).ToArray();

        var c = ReportComparison.Paired("A", "B", "m", a, b);

        c.AccuracyA.Should().Be(0.65);
        c.AccuracyB.Should().Be(0.55);
        c.Difference.Should().BeApproximately(0.10, 1e-12);
        (c.OnlyA, c.OnlyB).Should().Be((15, 5));
        c.PValue.Should().BeApproximately(ReportComparison.McNemarExact(15, 5), 1e-15).And.BeApproximately(0.04138947, 1e-7);
        c.DifferenceInterval.Lower.Should().BeInRange(0.0, 0.10);
        c.DifferenceInterval.Upper.Should().BeInRange(0.10, 0.25);
        c.IsSignificant().Should().BeTrue();
    }

    [Fact]
    public void Compare_ReportsOnOtherImages_Refused()
    {
        var options = RobustnessEvaluatorTests.Small() with { SanityChecks = false };
        var all = new RobustnessEvaluator(options).Evaluate(f.Trained.Model, f.TestSet, "all");
        var some = new RobustnessEvaluator(options with { FirstN = 100 }).Evaluate(f.Trained.Model, f.TestSet, "some");

        var act = () => ReportComparison.Clean(all, some);

        act.Should().Throw<ArgumentException>().WithMessage("*not evaluated on the same images*");
        ReportComparison.Clean(all, all with { Model = "copy" }).PValue.Should().Be(1.0);
    }

    [Fact]
    public void SampleOutcomes_RoundTripAndCorruption()
    {
        var bits = Enumerable.Range(0, 13).Select(i => i % 3 == 0).ToArray();
        var packed = SampleOutcomes.From(bits);

        packed.ToArray().Should().Equal(bits);
        packed.Correct.Should().Be(5);
        var wrongCount = () => (packed with { Count = 40 }).ToArray();
        wrongCount.Should().Throw<InvalidDataException>().WithMessage("*40 images need 5*");
        var notBase64 = () => (packed with { Bits = "***" }).ToArray();
        notBase64.Should().Throw<InvalidDataException>();
    }
}
