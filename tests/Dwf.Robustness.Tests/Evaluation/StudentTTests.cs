using Dwf.Robustness.Evaluation;

namespace Dwf.Robustness.Tests.Evaluation;

public class StudentTTests
{
    [Theory]
    [InlineData(1, 2.0)]
    [InlineData(1, 0.5)]
    [InlineData(2, 2.0)]
    [InlineData(2, 7.3)]
    public void TwoSidedP_OneAndTwoDegreesOfFreedom_MatchesClosedForms(double df, double t)
    {
        // ν = 1 is Cauchy: P(|T| ≥ t) = 1 − 2·atan(t)/π; ν = 2: 1 − t/√(t² + 2).
        double expected = df == 1 ? 1 - 2 * Math.Atan(t) / Math.PI : 1 - t / Math.Sqrt(t * t + 2);

        StudentT.TwoSidedP(t, df).Should().BeApproximately(expected, 1e-12);
    }

    [Theory]
    [InlineData(1, 12.7062047361747)]
    [InlineData(2, 4.30265272974946)]
    [InlineData(5, 2.57058183563631)]
    [InlineData(10, 2.22813885198627)]
    [InlineData(30, 2.04227245630124)]
    [InlineData(1e7, 1.959963984540054)]
    public void CriticalValue_Alpha005_MatchesTables(double df, double expected)
    {
        StudentT.CriticalValue(0.05, df).Should().BeApproximately(expected, 1e-6);
    }

    [Fact]
    public void TwoSidedP_AtCriticalValue_GivesAlphaBack()
    {
        foreach (double df in new[] { 1.5, 2.7, 8.25, 123.4 })
        {
            StudentT.TwoSidedP(StudentT.CriticalValue(0.05, df), df).Should().BeApproximately(0.05, 1e-9, $"df = {df}");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    public void TwoSidedP_NonPositiveDegreesOfFreedom_Throws(double df)
    {
        var act = () => StudentT.TwoSidedP(1, df);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("df");
    }
}
