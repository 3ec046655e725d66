using Dwf.Cifar10.Aggregate;
using Dwf.Robustness.Evaluation;

namespace Dwf.Cifar10.Tests.Aggregate;

/// <summary>compare-runs on run folders written as reproduce and compare write them.</summary>
public sealed class RunsComparisonTests : IDisposable
{
    private const double Eps = 8.0 / 255;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "dwf-runs-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private string Run(string name, params (string Model, bool[] Robust, bool[]? Rapid)[] models)
    {
        var folder = new RunFolder(Path.Combine(_root, name));
        foreach (var (model, robust, rapid) in models)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(folder.Report(model, "json"))!);
            ReportJson.Write(FakeReports.Paper(model, robust), folder.Report(model, "json"));
            if (rapid is not null)
            {
                string path = folder.Report(model, "json", PlanKind.AutoAttackRapid);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                ReportJson.Write(FakeReports.Paper(model, rapid), path);
            }
        }

        return folder.Root;
    }

    [Fact]
    public void Compare_TwoRunsTwoBaselineModels_PairedPerImageAndHolmPerBaselineModel()
    {
        string baseline = Run("main", ("dwf", FakeReports.First(100), null), ("pgd-at", FakeReports.First(60), null));
        string a = Run("a", ("dwf", FakeReports.First(140), null));
        string b = Run("b", ("dwf", FakeReports.First(100, offset: 50), null));

        var pairs = RunsComparison.Compare(baseline, ["dwf", "pgd-at"], [a, b], "dwf", Eps);

        pairs.Select(p => (p.Run, p.Baseline)).Should().Equal(("a", "dwf"), ("b", "dwf"), ("a", "pgd-at"), ("b", "pgd-at"));
        var aVsDwf = pairs[0].Comparison;
        (aVsDwf.OnlyA, aVsDwf.OnlyB, aVsDwf.Difference).Should().Be((40, 0, 0.2));
        var bVsDwf = pairs[1].Comparison;
        (bVsDwf.OnlyA, bVsDwf.OnlyB, bVsDwf.Difference).Should().Be((50, 50, 0.0), "same accuracy on other images: discordant both ways");
        var holm = MultipleComparisons.Holm([aVsDwf.PValue, bVsDwf.PValue]);
        pairs[0].HolmP.Should().Be(holm[0]);
        pairs[1].HolmP.Should().Be(holm[1], "the runs compared with one baseline model are one family");
        pairs.Should().OnlyContain(p => !p.WithRapid);
    }

    [Fact]
    public void Compare_BothSidesHaveAaRapid_RobustIsPerImageAndOfBothPlans()
    {
        string baseline = Run("main", ("dwf", FakeReports.First(100), FakeReports.First(80)));
        string a = Run("a", ("dwf", FakeReports.First(100), FakeReports.First(90, offset: 10)));

        var pair = RunsComparison.Compare(baseline, ["dwf"], [a], "dwf", Eps).Single();

        pair.WithRapid.Should().BeTrue();
        pair.Comparison.AccuracyA.Should().Be(90.0 / FakeReports.N, "images 10–99: robust under both plans");
        pair.Comparison.AccuracyB.Should().Be(80.0 / FakeReports.N);
    }

    [Fact]
    public void Compare_OneSideWithoutAaRapid_BothComparedOnThePaperPlan()
    {
        string baseline = Run("main", ("dwf", FakeReports.First(100), FakeReports.First(10)));
        string a = Run("a", ("dwf", FakeReports.First(100), null));

        var pair = RunsComparison.Compare(baseline, ["dwf"], [a], "dwf", Eps).Single();

        pair.WithRapid.Should().BeFalse("a comparison uses one evaluation on both sides");
        pair.Comparison.Difference.Should().Be(0);
        RunsComparison.Render([pair], baseline, Eps, "compare-runs").Should().Contain("| a | dwf |").And.Contain("| paper |");
    }

    [Fact]
    public void Compare_OtherImages_RefusedNamingBothHashes()
    {
        string baseline = Run("main", ("dwf", FakeReports.First(100), null));
        string a = Run("a");
        var folder = new RunFolder(a);
        Directory.CreateDirectory(Path.GetDirectoryName(folder.Report("dwf", "json"))!);
        ReportJson.Write(FakeReports.Paper("dwf", FakeReports.First(100), data: "other-images"), folder.Report("dwf", "json"));

        var act = () => RunsComparison.Compare(baseline, ["dwf"], [a], "dwf", Eps);

        act.Should().Throw<InvalidDataException>().WithMessage("*different images*other-images*same-images*");
    }

    [Fact]
    public void Compare_MissingFolderOrReport_RefusedNamingIt()
    {
        string baseline = Run("main", ("dwf", FakeReports.First(100), null));

        FluentActions.Invoking(() => RunsComparison.Compare(baseline, ["dwf"], [Path.Combine(_root, "nowhere")], "dwf", Eps))
            .Should().Throw<DirectoryNotFoundException>().WithMessage("*nowhere*");
        FluentActions.Invoking(() => RunsComparison.Compare(baseline, ["pgd-at"], [baseline], "dwf", Eps))
            .Should().Throw<FileNotFoundException>().WithMessage("*pgd-at*evaluate it first*");
    }
}
