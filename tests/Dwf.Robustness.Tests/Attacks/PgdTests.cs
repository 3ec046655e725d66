using Dwf.Robustness.Attacks;

namespace Dwf.Robustness.Tests.Attacks;

public class PgdTests
{
    [Fact]
    public void Constructor_Defaults_AreCifarConventions()
    {
        var pgd = new Pgd();
        pgd.Epsilon.Should().Be(8.0 / 255);
        pgd.StepSize.Should().Be(2.0 / 255);
        pgd.Steps.Should().Be(10);
        pgd.RandomStart.Should().BeTrue();
        pgd.Restarts.Should().Be(1);
        pgd.Loss.Should().Be(AttackLoss.CrossEntropy);
        pgd.Name.Should().Be("PGD-10(ε=0.0314, α=0.0078)");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void Constructor_NonPositiveStep_ThrowsNamingStepSize(double step)
    {
        var act = () => new Pgd(stepSize: step);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("stepSize");
    }

    [Fact]
    public void Constructor_ZeroSteps_ThrowsNamingSteps()
    {
        var act = () => new Pgd(steps: 0);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("steps");
    }

    [Fact]
    public void Constructor_ZeroRestarts_ThrowsNamingRestarts()
    {
        var act = () => new Pgd(restarts: 0);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("restarts");
    }

    [Fact]
    public void FastFgsm_Epsilon_IsOneRandomStartStepOf125Epsilon()
    {
        var fast = Pgd.FastFgsm(0.04);
        fast.Steps.Should().Be(1);
        fast.RandomStart.Should().BeTrue();
        fast.StepSize.Should().BeApproximately(0.05, 1e-12);
        fast.Name.Should().StartWith("FGSM-RS");
    }

    [Fact]
    public void EpsilonFromPixelLevels_Eight_Is8Over255()
    {
        Epsilon.FromPixelLevels(8).Should().Be(8.0 / 255);
    }
}
