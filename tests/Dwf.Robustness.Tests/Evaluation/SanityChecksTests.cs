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
        var warnings = new List<EvaluationWarning>();
        SanityChecks.CheckSweep([R("FGSM", 0.03, 1, 0.40), R("PGD", 0.03, 10, 0.55)], warnings);
        warnings.Should().ContainSingle().Which.Should().Match<EvaluationWarning>(w => w.Code == WarningCode.IterativeWeakerThanFgsm && w.Message.Contains("weaker than a single step"));
    }

    [Fact]
    public void CheckSweep_MoreStepsHigherAccuracy_Warns()
    {
        var warnings = new List<EvaluationWarning>();
        SanityChecks.CheckSweep([R("PGD", 0.03, 10, 0.30), R("PGD", 0.03, 50, 0.40)], warnings);
        warnings.Should().ContainSingle().Which.Should().Match<EvaluationWarning>(w => w.Code == WarningCode.MoreStepsHigherAccuracy && w.Message.Contains("More PGD steps gave higher accuracy"));
    }

    [Fact]
    public void CheckSweep_ConsistentSweep_NoWarning()
    {
        var warnings = new List<EvaluationWarning>();
        SanityChecks.CheckSweep([R("FGSM", 0.03, 1, 0.40), R("PGD", 0.03, 10, 0.30), R("PGD", 0.03, 20, 0.295), R("PGD", 0.03, 50, 0.29)], warnings);
        warnings.Should().BeEmpty();
    }

    /// <summary>A result at ε 0.03 whose per-image outcomes are <paramref name="correct"/>; an adaptive check when <paramref name="surrogate"/> is set.</summary>
    private static AttackResult Outcomes(string name, bool[] correct, string? surrogate = null)
    {
        int hits = correct.Count(c => c);
        return new(name, new AttackDescriptor(AttackFamily.Pgd, ThreatModel.Linf, 0.03, 10, 1, AttackLoss.CrossEntropy, false),
            "paper", StageKind.Sweep, (double)hits / correct.Length, hits, correct.Length, ConfidenceInterval.Wilson(hits, correct.Length),
            SampleOutcomes.From(correct), surrogate);
    }

    /// <summary><paramref name="n"/> outcomes, correct except on images [<paramref name="from"/>, <paramref name="to"/>).</summary>
    private static bool[] BrokenBetween(int n, int from, int to) => Enumerable.Range(0, n).Select(i => i < from || i >= to).ToArray();

    [Fact]
    public void CheckAdaptive_SameAccuracyOtherImagesBroken_Warns()
    {
        var warnings = new List<EvaluationWarning>();
        SanityChecks.CheckAdaptive([Outcomes("PGD", BrokenBetween(1000, 0, 500)), Outcomes("PGD gate detached", BrokenBetween(1000, 500, 1000), "gate detached")], warnings);
        warnings.Should().ContainSingle().Which.Should().Match<EvaluationWarning>(w => w.Code == WarningCode.AdaptiveAttacksStronger && w.Message.Contains("from 0.5 to 0"));
    }

    [Fact]
    public void CheckAdaptive_BreaksOnlyImagesDirectAttacksBroke_NoWarning()
    {
        var warnings = new List<EvaluationWarning>();
        SanityChecks.CheckAdaptive(
            [Outcomes("PGD a", BrokenBetween(1000, 0, 400)), Outcomes("PGD b", BrokenBetween(1000, 400, 800)), Outcomes("PGD gate detached", BrokenBetween(1000, 200, 600), "gate detached")],
            warnings);
        warnings.Should().BeEmpty("every image the adaptive check broke was already broken by a direct attack");
    }

    [Theory]
    [InlineData(0.3, 10000, 0.01)]
    [InlineData(0.3, 256, 0.0430)]
    public void Tolerance_SampleSize_ScalesWithStandardError(double accuracy, int total, double expected)
    {
        SanityChecks.Tolerance(accuracy, total).Should().BeApproximately(expected, 5e-4);
    }
}
