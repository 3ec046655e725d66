using Dwf.Robustness.Evaluation;

namespace Dwf.Cifar10.Tests;

public class ResultsTableTests
{
    private static RobustnessReport Report(string model, double clean, double pgd20) => new(
        RobustnessReport.CurrentSchemaVersion, model, "test", 100,
        new EvaluationSettings([0.09], [8.0 / 255], [20], 2.0 / 255, true, 1, 50, 0),
        clean,
        [new AttackResult("FGSM(ε=0.09)", "FGSM", 0.09, 1, pgd20 + 0.05, 0, 100), new AttackResult("PGD-20", "PGD", 8.0 / 255, 20, pgd20, 0, 100)],
        pgd20, ["a"], [clean], [pgd20], null, [], 1, DateTimeOffset.UnixEpoch);

    private static readonly RunConfig Config = Presets.Create("cpu-small", "/d", "/r");

    [Fact]
    public void Render_DwfAboveEveryModel_SaysShown()
    {
        var md = ResultsTable.Render(Config, [Report("dwf", 0.5, 0.30), Report("frozen-experts", 0.5, 0.2), Report("clean-1", 0.6, 0.0)], "m", null);

        md.Should().Contain("**shown**").And.NotContain("**not shown**");
        md.Should().Contain("| PGD-20 ε=8/255 | 30.00 | 20.00 | 0.00 | *56.33* | *51.51* | *55.13* |");
        md.Should().Contain("Clean accuracy: DWF 50.00 vs clean expert 60.00 (-10.00 points)");
    }

    [Fact]
    public void Render_DwfBelowAnExpert_SaysNotShownAndNamesIt()
    {
        var md = ResultsTable.Render(Config, [Report("dwf", 0.5, 0.20), Report("pgd-1", 0.4, 0.25)], "m", null);

        md.Should().Contain("**not** above pgd-1 (25.00)").And.Contain("**not shown**");
    }

    [Fact]
    public void Render_PaperNumbers_OnlyInPaperColumns()
    {
        var md = ResultsTable.Render(Config, [Report("dwf", 0.5, 0.2)], "m", null);
        var header = md.Split('\n').First(l => l.StartsWith("| metric |"));

        header.Should().EndWith("| *paper: DWF* | *paper: SoE* | *paper: ADVMoE* |");
        md.Split('\n').First(l => l.StartsWith("| clean |")).Should().Be("| clean | 50.00 | *91.08* | *–* | *–* |");
        md.Should().Contain("not measured here");
    }
}
