using Dwf.Robustness.Attacks;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Testing;

namespace Downstream.Tests;

public class EvaluationTests
{
    private static readonly EvaluationOptions Small = new()
    {
        FgsmEpsilons = [8.0 / 255], PgdEpsilons = [8.0 / 255], PgdSteps = [5], BatchSize = 32,
    };

    [Fact]
    public void Evaluate_Mixture_ReportsCleanAndRobustAccuracyOnEveryImage()
    {
        using var data = SyntheticDataset.Create(64);
        using var mixture = TinyMixture.Create(experts: 2, seed: 1);

        var report = new RobustnessEvaluator(Small).Evaluate(mixture, data, "tiny-mixture", datasetName: "synthetic", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(64, report.Samples);
        double? pgd = report.AccuracyUnder(AttackFamily.Pgd, 8.0 / 255, 5);
        Assert.NotNull(pgd);
        Assert.True(pgd <= report.CleanAccuracy, $"PGD accuracy {pgd:P1} is at most the clean accuracy {report.CleanAccuracy:P1}");
        Assert.True(report.CleanInterval.Lower <= report.CleanAccuracy && report.CleanAccuracy <= report.CleanInterval.Upper);
    }

    [Fact]
    public void Evaluate_TwiceWithAFixedClock_GivesEqualReports()
    {
        using var data = SyntheticDataset.Create(64);
        using var mixture = TinyMixture.Create(experts: 2, seed: 1);
        var clock = new FixedTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

        var first = new RobustnessEvaluator(Small, timeProvider: clock).Evaluate(mixture, data, "tiny-mixture", cancellationToken: TestContext.Current.CancellationToken);
        var second = new RobustnessEvaluator(Small, timeProvider: clock).Evaluate(mixture, data, "tiny-mixture", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(first, second);
        Assert.Equal(0, first.Seconds);
    }
}
