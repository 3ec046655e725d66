using Dwf.Robustness.Evaluation;

namespace Dwf.Robustness.Tests.Evaluation;

public class MultipleComparisonsTests
{
    [Fact]
    public void Holm_FourPValues_MatchesHandComputationInInputOrder()
    {
        // Sorted: 0.01·4 = 0.04, 0.02·3 = 0.06, 0.03·2 = 0.06 (running max), 0.5·1 = 0.5.
        var adjusted = MultipleComparisons.Holm([0.03, 0.5, 0.01, 0.02]);

        adjusted.Should().Equal([0.06, 0.5, 0.04, 0.06], (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void Holm_LargeProducts_CappedAtOne()
    {
        MultipleComparisons.Holm([0.4, 0.6, 0.9]).Should().Equal(1.0, 1.0, 1.0);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(1.5)]
    public void Holm_PValueOutsideUnitInterval_Throws(double p)
    {
        var act = () => MultipleComparisons.Holm([0.01, p]);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*[0,1]*");
    }
}
