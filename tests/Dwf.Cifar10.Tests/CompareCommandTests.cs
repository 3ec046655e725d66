using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Tests.TestSupport;

namespace Dwf.Cifar10.Tests;

/// <summary><c>compare --preset micro</c> end to end on the real CIFAR-10 archive (DWF_CIFAR10): every defense trained, evaluated with both plans on the same images, one table.</summary>
public class CompareCommandTests
{
    [Cifar10Fact]
    public async Task Compare_MicroPreset_EveryDefenseEvaluatedWithBothPlansAndTabled()
    {
        string run = Path.Combine(Path.GetTempPath(), "dwf-compare-" + Guid.NewGuid().ToString("N"));
        try
        {
            int code = await Cli.RunAsync(["compare", "--preset", "micro", "--data", Cifar10FactAttribute.Path!, "--run", run]);

            code.Should().Be(0);
            var folder = new RunFolder(run);
            string table = File.ReadAllText(folder.Compare);
            foreach (var d in global::Dwf.Cifar10.Compare.DefenseRecipes.All)
            {
                table.Should().Contain($"| {d.Label} |");
                var paper = ReportJson.Read(folder.Report(d.Name, "json", PlanKind.Paper));
                var rapid = ReportJson.Read(folder.Report(d.Name, "json", PlanKind.AutoAttackRapid));
                paper.DataSha256.Should().Be(rapid.DataSha256, "every defense is evaluated on the same images");
                paper.Samples.Should().Be(30);
                rapid.WorstCaseAt(8.0 / 255).Should().NotBeNull();
                rapid.Options.AttackedAfter.Should().Be($"{d.Name}, plan paper", "aa-rapid continues from the paper plan's survivors");
                var before = paper.WorstCaseAt(8.0 / 255)!.Outcomes!.ToArray();
                rapid.WorstCaseAt(8.0 / 255)!.Outcomes!.ToArray().Zip(before).Should().OnlyContain(p => !p.First || p.Second,
                    "an image the paper plan broke is not robust in the combined worst case");
            }

            table.Should().Contain("McNemar p (Holm)").And.Contain("| training passes (millions) |");
            var soe = ReportJson.Read(folder.Report(global::Dwf.Cifar10.Compare.Recipes.SoeRecipe.ModelName, "json", PlanKind.Paper));
            soe.Attacks.Select(a => a.Surrogate).Should().Contain("soft selection (T=0.1)").And.Contain("expert soe-1");
            var advmoe = ReportJson.Read(folder.Report(global::Dwf.Cifar10.Compare.Recipes.AdvMoeRecipe.ModelName, "json", PlanKind.Paper));
            advmoe.Attacks.Select(a => a.Surrogate).Should().Contain("router detached").And.Contain("route fixed to group-2");
            var costs = CostFile.Collect(Presets.Create("micro", Cifar10FactAttribute.Path!, run), folder);
            costs.Keys.Should().Contain([global::Dwf.Cifar10.Compare.Recipes.TradesRecipe.ModelName, global::Dwf.Cifar10.Compare.Recipes.SoeRecipe.ModelName, global::Dwf.Cifar10.Compare.Recipes.AdvMoeRecipe.ModelName]);
            foreach (var baseline in new[] { global::Dwf.Cifar10.Compare.Recipes.TradesRecipe.ModelName, global::Dwf.Cifar10.Compare.Recipes.SoeRecipe.ModelName, global::Dwf.Cifar10.Compare.Recipes.AdvMoeRecipe.ModelName })
            {
                using var loaded = global::Dwf.Robustness.Defenses.SavedDefense.LoadClassifier(folder.BaselineWeights(baseline));
                loaded.training.Should().BeFalse($"every defense is saved with its manifest, so '{baseline}' loads without the run's recipe");
            }
        }
        finally
        {
            if (Directory.Exists(run))
            {
                Directory.Delete(run, recursive: true);
            }
        }
    }

    [Cifar10Fact]
    public async Task Compare_CompareDefensesDwfOnly_TrainsAndTablesDwfAloneAndSaysWhatIsLeftOut()
    {
        string run = Path.Combine(Path.GetTempPath(), "dwf-compare-" + Guid.NewGuid().ToString("N"));
        try
        {
            int code = await Cli.RunAsync(["compare", "--preset", "micro", "--data", Cifar10FactAttribute.Path!, "--run", run, "--set", "CompareDefenses=Dwf"]);

            code.Should().Be(0);
            var folder = new RunFolder(run);
            string table = File.ReadAllText(folder.Compare);
            table.Should().Contain("| DWF (joint) |").And.Contain("Left out of this run (`CompareDefenses`): frozen-expert mixture, PGD-AT");
            File.Exists(folder.Report(Pipeline.DwfModel, "json", PlanKind.AutoAttackRapid)).Should().BeTrue();
            foreach (var d in global::Dwf.Cifar10.Compare.DefenseRecipes.All.Skip(1))
            {
                table.Should().NotContain($"| {d.Label} |");
                File.Exists(folder.Report(d.Name, "json", PlanKind.Paper)).Should().BeFalse($"{d.Name} was left out");
            }
        }
        finally
        {
            if (Directory.Exists(run))
            {
                Directory.Delete(run, recursive: true);
            }
        }
    }
}
