using Dwf.Cifar10.Tests.Data;
using Dwf.Robustness.Data;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Images;
using Dwf.Robustness.Persistence;

namespace Dwf.Cifar10.Tests;

/// <summary>
/// The sample on a team's own images: <c>reproduce</c> and then <c>compare</c> with <c>--preset micro</c> on a generated
/// class-per-folder set of 4 classes at 24×24 with one expert of each kind (no CIFAR-10 needed, so it runs in every CI run).
/// </summary>
public class FolderReproduceTests
{
    [Fact]
    public async Task Reproduce_GeneratedImageFolder_TrainsEvaluatesAndComparesWithTheDatasClassesSizeAndStatistics()
    {
        using var data = new GeneratedImageFolder(classes: 4, train: 25, test: 3, size: 24);
        string run = Path.Combine(Path.GetTempPath(), "dwf-folder-run-" + Guid.NewGuid().ToString("N"));
        try
        {
            string[] common = ["--preset", "micro", "--data", data.Root, "--run", run, "--set", "ImageSize=24",
                "--set", "CleanExperts=1", "--set", "FgsmExperts=1", "--set", "PgdExperts=1", "--set", "Controls=false"];
            (await Cli.RunAsync(["reproduce", .. common])).Should().Be(0);

            var folder = new RunFolder(run);
            var manifest = ModelManifest.Read(ModelManifest.PathFor(folder.MixtureWeights(Pipeline.DwfModel)));
            manifest.ClassNames.Should().Equal(data.ClassNames);
            manifest.Experts.Should().HaveCount(3).And.OnlyContain(e => e.NumClasses == 4);
            ChannelStatistics expected;
            using (var loaded = ImageFolder.Load(Path.Combine(data.Root, "train"), new ImageFolderOptions { Size = 24 }))
            using (var expertImages = loaded.Dataset.TakePerClass(20))
            {
                expected = ChannelStatistics.Of(expertImages);
            }

            manifest.Experts.Should().OnlyContain(e => e.Mean.SequenceEqual(expected.Mean) && e.Std.SequenceEqual(expected.Std),
                "normalization comes from the experts' training images (micro: the first 20 of each class)");
            manifest.Gate!.Mean.Should().Equal(expected.Mean);
            manifest.ImageSize.Should().Be(24, "the manifest records the size the models were trained at");

            var report = ReportJson.Read(folder.Report(Pipeline.DwfModel, "json"));
            report.Samples.Should().Be(12, "micro evaluates 3 test images per class");
            report.Dataset.Should().StartWith("shapes test");
            report.CleanAccuracy.Should().BeInRange(0, 1);
            report.RobustAccuracyAt(8.0 / 255).Should().BeInRange(0, report.CleanAccuracy);
            string results = File.ReadAllText(folder.Results);
            results.Should().StartWith("# DWF on shapes").And.NotContain("*paper: DWF*", "the paper's CIFAR-10 numbers are no reference for other data");

            (await Cli.RunAsync(["compare", .. common])).Should().Be(0);
            string table = File.ReadAllText(folder.Compare);
            foreach (var d in global::Dwf.Cifar10.Compare.DefenseRecipes.All)
            {
                table.Should().Contain($"| {d.Label} |");
                ReportJson.Read(folder.Report(d.Name, "json", PlanKind.Paper)).DataSha256.Should().Be(report.DataSha256, "every defense is evaluated on the same images");
            }

            foreach (string rival in new[] { global::Dwf.Cifar10.Compare.Recipes.SoeRecipe.ModelName, global::Dwf.Cifar10.Compare.Recipes.AdvMoeRecipe.ModelName, global::Dwf.Cifar10.Compare.Recipes.TradesRecipe.ModelName })
            {
                var saved = ModelManifest.Read(ModelManifest.PathFor(folder.BaselineWeights(rival)));
                (saved.ClassNames, saved.ImageSize).Should().BeEquivalentTo((data.ClassNames, 24), $"{rival} records its classes and image size as every model of the run does");
            }

            var soe = ModelManifest.Read(ModelManifest.PathFor(folder.BaselineWeights(global::Dwf.Cifar10.Compare.Recipes.SoeRecipe.ModelName))).Soe!;
            soe.NumClasses.Should().Be(4, "SoE is built for the data's classes");
            soe.Mean.Should().Equal(expected.Mean, "and its normalization");
            var advMoe = ModelManifest.Read(ModelManifest.PathFor(folder.BaselineWeights(global::Dwf.Cifar10.Compare.Recipes.AdvMoeRecipe.ModelName))).AdvMoe!;
            advMoe.NumClasses.Should().Be(4, "ADVMoE too is built for the data's classes");
            advMoe.Mean.Should().Equal(expected.Mean, "and its normalization");
            advMoe.Std.Should().Equal(expected.Std);
            using var trades = Dwf.Robustness.Defenses.SavedDefense.LoadClassifier(folder.BaselineWeights(global::Dwf.Cifar10.Compare.Recipes.TradesRecipe.ModelName));
            using var probe = TorchSharp.torch.rand(2, 3, 24, 24);
            using var logits = trades.forward(probe);
            logits.shape.Should().Equal([2, 4], "the baselines are built for the data's classes too");
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
