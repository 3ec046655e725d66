using Dwf.Cifar10.Aggregate;
using Dwf.Cifar10.Commands;
using Dwf.Robustness.Attacks;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Experts;

namespace Dwf.Cifar10.Tests.Aggregate;

/// <summary>Study folders written as reproduce writes them (config.json, selection.json, reports), read back and aggregated.</summary>
public sealed class StudyTests : IDisposable
{
    private const int N = 200;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "dwf-study-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static RunConfig Base(string folder)
    {
        var preset = Presets.Create("cpu-small", "/d", folder);
        return preset with { WideControl = true, Eval = preset.Eval with { SkipPerClass = 900 } };
    }

    /// <summary>Images 0 … k−1 robust, the rest not (clean: all correct).</summary>
    private static bool[] First(int k, int offset = 0) => Enumerable.Range(0, N).Select(i => i >= offset && i < offset + k).ToArray();

    private static RobustnessReport Report(string model, bool[] robust, string data = "same-images", string? after = null) => FakeReports.Paper(model, robust, data, after);

    /// <summary>Writes replicate <paramref name="r"/> of the study at <paramref name="study"/> with DWF and each rival robust on the given images.</summary>
    private static void Replicate(string study, int r, bool[] dwf, bool[] rival, RunConfig? config = null, IReadOnlyList<ValidationPoint>? equalComputeCurve = null, string data = "same-images")
    {
        var c = Replicates.Expand(config ?? Base(study), r, null).Single();
        var folder = new RunFolder(c.RunFolder);
        folder.SaveOrCheck(c);
        File.WriteAllText(folder.Selection, new ExpertSelection("PGD-10", 500, [new ValidationScore("pgd-2", ExpertKind.Pgd, 0.3, 0.2)], "pgd-2", "pgd-2").ToJson());
        Directory.CreateDirectory(Path.GetDirectoryName(folder.Report("x", "json"))!);
        ReportJson.Write(Report(Pipeline.DwfModel, dwf, data), folder.Report(Pipeline.DwfModel, "json"));
        foreach (var model in new[] { Pipeline.FrozenModel, "pgd-2", Pipeline.FineTunedControl, Pipeline.EqualComputeControl, Pipeline.WideControlName })
        {
            ReportJson.Write(Report(model, rival, data), folder.Report(model, "json"));
        }

        if (equalComputeCurve is not null)
        {
            foreach (var p in equalComputeCurve)
            {
                ValidationCurve.Append(folder.ValidationCurve(Pipeline.EqualComputeControl), p);
            }
        }
    }

    [Fact]
    public void Run_ThreeReplicatesDwfFarAhead_EveryClaimDwfBetterAndFilesWritten()
    {
        string study = Path.Combine(_root, "budget-1x");
        for (int r = 0; r < 3; r++)
        {
            Replicate(study, r, First(120 + 5 * r), First(40 + 3 * r));
        }

        var claims = AggregateCommand.Run([study], null, "aggregate --study test");

        claims.Select(c => c.Rival).Should().Equal(StudyRoles.Claims);
        claims.Should().OnlyContain(c => c.Verdict == "**DWF better**" && c.Effect.Estimate > 0.35 && c.PerReplicate.Count == 3);
        File.ReadAllText(Path.Combine(_root, "aggregate.md")).Should().Contain("3 finished replicate(s)").And.Contain("images 901–1000 of each class").And.Contain("**DWF better**");
        File.Exists(Path.Combine(_root, "aggregate.png")).Should().BeTrue();
        File.ReadAllText(Path.Combine(_root, "aggregate.json")).Should().Contain("\"HolmP\"");
    }

    [Fact]
    public void Run_ReplicatesDisagree_NoDifferenceShownThoughEachMcNemarIsSignificant()
    {
        // Replicate 0: DWF far ahead; replicate 1: far behind. Each McNemar test is decisive, the replicated claim is not.
        string study = Path.Combine(_root, "budget-1x");
        Replicate(study, 0, First(100), First(30));
        Replicate(study, 1, First(30), First(100));

        var claim = AggregateCommand.Run([study], _root, "t")[0];

        claim.PerReplicate.Should().OnlyContain(p => p.PValue < 0.001);
        claim.Verdict.Should().Be("no difference shown");
        claim.Effect.TrainingShare.Should().BeGreaterThan(0.5);
    }

    [Fact]
    public void Decide_RivalOverfitInOneReplicate_DwfWinNotCounted()
    {
        string study = Path.Combine(_root, "budget-4x");
        ValidationPoint[] overfit = [new(10, 0.4, 0.25), new(20, 0.5, 0.20)];
        for (int r = 0; r < 3; r++)
        {
            Replicate(study, r, First(120 + 5 * r), First(40 + 3 * r), equalComputeCurve: r == 1 ? overfit : null);
        }

        var claims = StudyClaims.Decide([Study.Read(study, 8.0 / 255)]);

        claims.Single(c => c.Rival == StudyRole.EqualCompute).Verdict.Should().Contain("overfit rival: not counted");
        claims.Single(c => c.Rival == StudyRole.Frozen).Verdict.Should().Be("**DWF better**");
    }

    [Fact]
    public void Read_UnfinishedReplicate_ListedAndNotCounted()
    {
        string study = Path.Combine(_root, "s");
        Replicate(study, 0, First(100), First(30));
        Replicate(study, 1, First(100), First(30));
        var c = Replicates.Expand(Base(study), 2, null).Single();
        new RunFolder(c.RunFolder).SaveOrCheck(c);

        var read = Study.Read(study, 8.0 / 255);

        read.Replicates.Select(r => r.Index).Should().Equal(0, 1);
        read.Unfinished.Should().ContainSingle().Which.Should().Contain("replicate-2").And.Contain("no report of DWF");
    }

    [Fact]
    public void Read_ReplicateWithOtherSettings_RefusedNamingItsConfig()
    {
        string study = Path.Combine(_root, "s");
        Replicate(study, 0, First(100), First(30));
        Replicate(study, 1, First(100), First(30), Base(study) with { Joint = new JointSettings { Epochs = 3 } });

        var act = () => Study.Read(study, 8.0 / 255);

        act.Should().Throw<InvalidDataException>().WithMessage("*replicate-1*config.json*more than its seed*");
    }

    [Fact]
    public void Read_ReplicatesOnOtherImages_Refused()
    {
        string study = Path.Combine(_root, "s");
        Replicate(study, 0, First(100), First(30));
        Replicate(study, 1, First(100), First(30), data: "other-images");

        var act = () => Study.Read(study, 8.0 / 255);

        act.Should().Throw<InvalidDataException>().WithMessage("*different test images*");
    }

    [Fact]
    public void Read_RapidOnSurvivors_WorstCaseOverBothPlans()
    {
        string study = Path.Combine(_root, "s");
        var config = Base(study) with { Eval = Base(study).Eval with { RapidOnSurvivors = true } };
        for (int r = 0; r < 2; r++)
        {
            Replicate(study, r, First(100), First(30), config);
            var folder = new RunFolder(Path.Combine(study, Replicates.FolderName(r)));
            Directory.CreateDirectory(Path.GetDirectoryName(folder.Report("x", "json", PlanKind.AutoAttackRapid))!);
            foreach (var model in new[] { Pipeline.DwfModel, Pipeline.FrozenModel, "pgd-2", Pipeline.FineTunedControl, Pipeline.EqualComputeControl, Pipeline.WideControlName })
            {
                // aa-rapid breaks the first 10 images the paper plan left robust.
                ReportJson.Write(Report(model, First(200, offset: 10), after: $"{model}, plan paper"), folder.Report(model, "json", PlanKind.AutoAttackRapid));
            }
        }

        var dwf = Study.Read(study, 8.0 / 255).Replicates[0].Roles[StudyRole.Dwf];

        dwf.WithRapid.Should().BeTrue();
        dwf.Robust.Count(b => b).Should().Be(90);
    }

    [Fact]
    public void Run_ModelsWithoutARole_TabledAndComparedAsExploratoryOutsideTheClaims()
    {
        // A compare study's rivals (TRADES here) play no pre-registered role: they get an accuracy row and an
        // exploratory comparison, Holm-adjusted apart from the claims.
        string study = Path.Combine(_root, "compare");
        for (int r = 0; r < 2; r++)
        {
            Replicate(study, r, First(100 + r), First(30));
            var folder = new RunFolder(Path.Combine(study, Replicates.FolderName(r)));
            ReportJson.Write(Report(global::Dwf.Cifar10.Compare.Recipes.TradesRecipe.ModelName, First(50 + 2 * r)), folder.Report(global::Dwf.Cifar10.Compare.Recipes.TradesRecipe.ModelName, "json"));
        }

        var claims = AggregateCommand.Run([study], _root, "t");

        claims.Should().HaveCount(4, "only the pre-registered rivals are claims");
        var read = Study.Read(study, 8.0 / 255);
        AggregateTable.SharedOthers(read).Should().Equal(global::Dwf.Cifar10.Compare.Recipes.TradesRecipe.ModelName);
        string md = File.ReadAllText(Path.Combine(_root, "aggregate.md"));
        md.Should().Contain("Not pre-registered (exploratory").And.Contain($"| {(global::Dwf.Cifar10.Compare.Recipes.TradesRecipe.ModelName)} |");
    }

    [Fact]
    public void Read_NoSuchFolder_ThrowsNamingIt()
    {
        var act = () => Study.Read(Path.Combine(_root, "missing"), 8.0 / 255);

        act.Should().Throw<DirectoryNotFoundException>().WithMessage("*missing*replicate-0*");
    }
}
