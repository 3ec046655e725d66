using Dwf.Robustness.Attacks;
using Dwf.Robustness.Evaluation;

namespace Dwf.Cifar10.Tests.Aggregate;

/// <summary>Paper-plan reports of N images, every image clean-correct, robust where given: what the aggregation and compare-runs read.</summary>
internal static class FakeReports
{
    public const int N = 200;

    /// <summary>Images <paramref name="offset"/> … <paramref name="offset"/> + k − 1 robust, the rest not.</summary>
    public static bool[] First(int k, int offset = 0) => Enumerable.Range(0, N).Select(i => i >= offset && i < offset + k).ToArray();

    public static RobustnessReport Paper(string model, bool[] robust, string data = "same-images", string? after = null)
    {
        var all = SampleOutcomes.From(Enumerable.Repeat(true, N).ToArray());
        var pgd = new AttackDescriptor(AttackFamily.Pgd, ThreatModel.Linf, 8.0 / 255, 20, 1, AttackLoss.CrossEntropy, false);
        int k = robust.Count(b => b);
        var worst = new WorstCase(8.0 / 255, (double)k / N, k, N, ConfidenceInterval.Wilson(k, N), [pgd.DisplayName], [(double)k / N], SampleOutcomes.From(robust));
        return new RobustnessReport(
            RobustnessReport.CurrentSchemaVersion, model, "CIFAR-10 test, images 901–1000 of each class", N, data, ThreatModel.Linf,
            new PlanRecord("paper", [new StageRecord("paper", StageKind.Sweep, [pgd], (double)k / N)]),
            new EvaluationSettings([], [8.0 / 255], [20], 2.0 / 255, true, 1, 50, 0, after),
            1, ConfidenceInterval.Wilson(N, N), all,
            [new(pgd.DisplayName, pgd, "paper", StageKind.Sweep, (double)k / N, k, N, ConfidenceInterval.Wilson(k, N), SampleOutcomes.From(robust))],
            [worst], ["a"], [1.0], null, [], null, null, 1, DateTimeOffset.UnixEpoch);
    }
}
