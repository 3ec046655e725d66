using Dwf.Robustness.Attacks;
using Dwf.Robustness.Evaluation;

namespace Dwf.Robustness.Tests.Evaluation;

public class SanityChecksTests
{
    private static AttackResult R(string family, double eps, int steps, double acc, int n = 10000) =>
        new($"{family}-{steps}",
            new AttackDescriptor(family == "FGSM" ? AttackFamily.Fgsm : AttackFamily.Pgd, ThreatModel.Linf, eps, steps, 1, AttackLoss.CrossEntropy, false),
            "paper", StageKind.Sweep, acc, (int)(acc * n), n, ConfidenceInterval.Wilson((int)(acc * n), n), null);

    [Fact]
    public void CheckSweep_PgdMuchWeakerThanFgsm_Warns()
    {
        var warnings = new List<string>();
        SanityChecks.CheckSweep([R("FGSM", 0.03, 1, 0.40), R("PGD", 0.03, 10, 0.55)], warnings);
        warnings.Should().ContainSingle().Which.Should().Contain("weaker than a single step");
    }

    [Fact]
    public void CheckSweep_MoreStepsHigherAccuracy_Warns()
    {
        var warnings = new List<string>();
        SanityChecks.CheckSweep([R("PGD", 0.03, 10, 0.30), R("PGD", 0.03, 50, 0.40)], warnings);
        warnings.Should().ContainSingle().Which.Should().Contain("More PGD steps gave higher accuracy");
    }

    [Fact]
    public void CheckSweep_ConsistentSweep_NoWarning()
    {
        var warnings = new List<string>();
        SanityChecks.CheckSweep([R("FGSM", 0.03, 1, 0.40), R("PGD", 0.03, 10, 0.30), R("PGD", 0.03, 20, 0.295), R("PGD", 0.03, 50, 0.29)], warnings);
        warnings.Should().BeEmpty();
    }

    [Theory]
    [InlineData(0.3, 10000, 0.01)]
    [InlineData(0.3, 256, 0.0430)]
    public void Tolerance_SampleSize_ScalesWithStandardError(double accuracy, int total, double expected)
    {
        SanityChecks.Tolerance(accuracy, total).Should().BeApproximately(expected, 5e-4);
    }
}
