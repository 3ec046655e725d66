using Dwf.Robustness.Attacks;
using Dwf.Robustness.Evaluation;

namespace Dwf.Cifar10.Tests;

public class ResultsTableTests
{
    private const int N = 100;

    /// <summary>A schema-2 report on 100 images: clean correct on the first <paramref name="clean"/> images, FGSM 0.09 and PGD-20 on the first <paramref name="pgd20"/>.</summary>
    private static RobustnessReport Report(string model, int clean, int pgd20)
    {
        static SampleOutcomes First(int k) => SampleOutcomes.From(Enumerable.Range(0, N).Select(i => i < k).ToArray());
        static AttackResult Result(AttackDescriptor d, int k) =>
            new(d.DisplayName, d, "paper", StageKind.Sweep, (double)k / N, k, N, ConfidenceInterval.Wilson(k, N), First(k));
        var fgsm = new AttackDescriptor(AttackFamily.Fgsm, ThreatModel.Linf, 0.09, 1, 1, AttackLoss.CrossEntropy, false);
        var pgd = new AttackDescriptor(AttackFamily.Pgd, ThreatModel.Linf, 8.0 / 255, 20, 1, AttackLoss.CrossEntropy, false);
        var worst = new WorstCase(8.0 / 255, (double)pgd20 / N, pgd20, N, ConfidenceInterval.Wilson(pgd20, N), [pgd.DisplayName], [(double)pgd20 / N], First(pgd20));
        return new RobustnessReport(
            RobustnessReport.CurrentSchemaVersion, model, "test", N, "same-images", ThreatModel.Linf,
            new PlanRecord("paper", [new StageRecord("paper", StageKind.Sweep, [fgsm, pgd], (double)pgd20 / N)]),
            new EvaluationSettings([0.09], [8.0 / 255], [20], 2.0 / 255, true, 1, 50, 0),
            (double)clean / N, ConfidenceInterval.Wilson(clean, N), First(clean),
            [Result(fgsm, Math.Min(clean, pgd20 + 5)), Result(pgd, pgd20)], [worst], ["a"], [(double)clean / N], null, [], null, null, 1,
            DateTimeOffset.UnixEpoch);
    }

    private static readonly RunConfig Config = Presets.Create("cpu-small", "/d", "/r");

    [Fact]
    public void Render_DwfSignificantlyAboveEveryModel_SaysShownWithPairedTests()
    {
        var md = ResultsTable.Render(Config, PlanKind.Paper, [Report("dwf", 50, 30), Report("frozen-experts", 50, 10), Report("clean-1", 60, 0)], "m", null);

        md.Should().Contain("**shown**").And.NotContain("**not shown**");
        md.Should().Contain("| PGD-20 ε=8/255 | 30.00 | 10.00 | 0.00 | *56.33* | *51.51* | *55.13* |");
        md.Should().Contain("vs frozen-experts: +20.00 points").And.Contain("20 images only DWF gets right, 0 only frozen-experts");
        md.Should().Contain("McNemar p = 0.0000");
    }

    [Fact]
    public void Render_DwfBelowAnExpert_SaysNotShownAndNamesIt()
    {
        var md = ResultsTable.Render(Config, PlanKind.Paper, [Report("dwf", 50, 20), Report("pgd-1", 40, 25)], "m", null);

        md.Should().Contain("vs pgd-1: -5.00 points").And.Contain("**not shown**");
    }

    [Fact]
    public void Render_RivalSignificantlyAbove_SaysTheRivalIsBetter()
    {
        // 10 vs 40 of 100, the same first images: 30 discordant images, all the rival's (issue 31: it used to say "not shown").
        var md = ResultsTable.Render(Config, PlanKind.Paper, [Report("dwf", 50, 10), Report("pgd-1", 50, 40)], "m", null);

        md.Should().Contain("vs pgd-1: -30.00 points").And.Contain("— **pgd-1 better**").And.Contain("**not shown** in this run");
    }

    [Fact]
    public void Render_DwfAboveByOneImage_SaysNoDifferenceShown()
    {
        // 31 vs 30 of 100: above in the mean, but one discordant image is no evidence (p = 1).
        var md = ResultsTable.Render(Config, PlanKind.Paper, [Report("dwf", 50, 31), Report("pgd-1", 50, 30)], "m", null);

        md.Should().Contain("vs pgd-1: +1.00 points").And.Contain("McNemar p = 1.0000").And.Contain("— no difference shown").And.Contain("**not shown**");
    }

    [Fact]
    public void Render_WithSelection_DecidesOnlyThePreRegisteredClaimsWithHolm()
    {
        var selection = ExpertSelection.Choose("PGD-10", 500,
            [new("pgd-1", Dwf.Robustness.Experts.ExpertKind.Pgd, 0.4, 0.20), new("pgd-2", Dwf.Robustness.Experts.ExpertKind.Pgd, 0.4, 0.25)]);
        RobustnessReport[] reports =
        [
            Report("dwf", 60, 40), Report("frozen-experts", 60, 30), Report("pgd-1", 60, 10), Report("pgd-2", 60, 20),
            Report(Pipeline.FineTunedControl, 60, 25), Report(Pipeline.EqualComputeControl, 60, 39),
        ];

        var md = ResultsTable.Render(Config, PlanKind.Paper, reports, "m", null, selection: selection);

        md.Should().Contain("vs pgd-2 (best single expert, chosen on validation): +20.00 points").And.NotContain("vs pgd-1:");
        md.Should().Contain("vs control-equal-compute: +1.00 points").And.Contain("Holm-adjusted over 4 claims").And.Contain("**not shown**");
        md.Should().Contain("vs frozen-experts: +10.00 points (95% CI").And.Contain("McNemar p = 0.0020, Holm-adjusted p = 0.0039");
        md.Should().Contain("| 8/255 | 40.0 (30.9–49.8) |", "the worst case per ε with its Wilson interval");
    }

    [Fact]
    public void Render_PaperNumbers_OnlyInPaperColumns()
    {
        var md = ResultsTable.Render(Config, PlanKind.Paper, [Report("dwf", 50, 20)], "m", null);
        var header = md.Split('\n').First(l => l.StartsWith("| metric |"));

        header.Should().EndWith("| *paper: DWF* | *paper: SoE* | *paper: ADVMoE* |");
        md.Split('\n').First(l => l.StartsWith("| clean |")).Should().Be("| clean | 50.00 | *91.08* | *–* | *–* |");
        md.Should().Contain("not measured here");
    }
}
