using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Tests.TestSupport;

namespace Dwf.Cifar10.Tests;

/// <summary>The CI smoke test: <c>reproduce --preset micro</c> end to end on the real CIFAR-10 archive (DWF_CIFAR10).</summary>
public class MicroReproduceTests
{
    private static string? Data => Cifar10FactAttribute.Path;

    [Cifar10Fact]
    public async Task Reproduce_MicroPreset_WritesCompleteRunFolder()
    {
        string run = Path.Combine(Path.GetTempPath(), "dwf-micro-" + Guid.NewGuid().ToString("N"));
        try
        {
            int code = await Cli.RunAsync(["reproduce", "--preset", "micro", "--data", Data!, "--run", run]);

            code.Should().Be(0);
            var folder = new RunFolder(run);
            File.Exists(folder.Config).Should().BeTrue();
            File.Exists(folder.Results).Should().BeTrue();
            File.Exists(folder.Plot).Should().BeTrue();
            string[] models = ["dwf", "frozen-experts", "clean-1", "fgsm-1", "fgsm-4", "pgd-1", "pgd-4", Pipeline.FineTunedControl, Pipeline.EqualComputeControl];
            foreach (var model in models)
            {
                var report = ReportJson.Read(folder.Report(model, "json"));
                report.Model.Should().Be(model);
                report.Samples.Should().Be(30);
                report.CleanAccuracy.Should().BeInRange(0, 1);
                report.Attacks.Should().OnlyContain(a => a.Accuracy >= 0 && a.Accuracy <= report.CleanAccuracy);
                report.RobustAccuracyAt(8.0 / 255).Should().BeInRange(0, report.CleanAccuracy);
                report.AccuracyUnder(Dwf.Robustness.Attacks.AttackFamily.Pgd, 8.0 / 255, 20).Should().NotBeNull();
            }

            File.ReadAllText(folder.Results).Should().Contain("*paper: DWF*").And.Contain("| PGD-20 ε=8/255 |")
                .And.Contain("| PGD-20 CW ε=8/255 (second loss) |")
                .And.Contain("How far the joint phase moved each expert")
                .And.Contain("vs control-finetuned:").And.Contain("vs control-equal-compute:").And.Contain("Holm-adjusted p")
                .And.Contain("(best single expert, chosen on validation)").And.Contain("| training passes (millions) |");

            // The best expert is chosen on the 50 held-out validation images, and the fine-tuned control starts from the best PGD expert.
            var selection = ExpertSelection.FromJson(File.ReadAllText(folder.Selection));
            selection.Images.Should().Be(50);
            selection.Scores.Should().HaveCount(9);
            selection.BestPgdExpert.Should().StartWith("pgd-");
            var costs = CostFile.Collect(Presets.Create("micro", Data!, run), folder);
            costs[Pipeline.EqualComputeControl].Passes.Should().BeApproximately(costs[Pipeline.DwfModel].Passes, costs[Pipeline.DwfModel].Passes * 0.05,
                "control (b) gets the whole pipeline's compute, up to rounding to whole epochs");
            costs[Pipeline.FineTunedControl].Passes.Should().BeLessThan(costs[Pipeline.DwfModel].Passes);
            var drift = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(folder.MixtureDrift("dwf")))!;
            drift.Should().HaveCount(9).And.OnlyContain(d => d.Value > 0, "the joint phase trains the experts");
            System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(folder.MixtureDrift("frozen-experts")))!
                .Should().OnlyContain(d => d.Value == 0, "the ablation freezes them");

            // A second run finds everything done and changes nothing.
            var before = File.GetLastWriteTimeUtc(folder.ExpertWeights("pgd-4"));
            (await Cli.RunAsync(["reproduce", "--preset", "micro", "--data", Data!, "--run", run])).Should().Be(0);
            File.GetLastWriteTimeUtc(folder.ExpertWeights("pgd-4")).Should().Be(before);
        }
        finally
        {
            if (Directory.Exists(run))
            {
                Directory.Delete(run, recursive: true);
            }
        }
    }

    [Fact]
    public async Task SaveOrCheck_OtherSettingsInSameRunFolder_RefusedWithDifferences()
    {
        string run = Path.Combine(Path.GetTempPath(), "dwf-conf-" + Guid.NewGuid().ToString("N"));
        try
        {
            var folder = new RunFolder(run);
            folder.SaveOrCheck(Presets.Create("micro", "/data", run));

            var act = () => folder.SaveOrCheck(Presets.Create("micro", "/data", run) with { ExpertEpochs = 7 });

            act.Should().Throw<InvalidOperationException>().WithMessage("*ExpertEpochs*7*");
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }

        await Task.CompletedTask;
    }
}
