using Dwf.Robustness.Experts;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Persistence;
using Dwf.Robustness.Serving;
using static TorchSharp.torch;

namespace Dwf.Cifar10.Tests;

public class ExportCommandTests
{
    private static MixtureOfExperts SmallMixture()
    {
        manual_seed(5);
        var experts = new IExpert[]
        {
            new Expert(new ResNet18(4, 0.125, mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3]), "a", 4, ExpertKind.Clean),
            new Expert(new ResNet18(4, 0.125, mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3]), "b", 4, ExpertKind.Pgd),
        };
        return new MixtureOfExperts(experts, new SoftGate(2, width: 4, mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3]), MixtureMode.Logits);
    }

    [Fact]
    public async Task Export_MixtureInRunFolder_OnnxWithManifestClassNamesRunImageSizeAndSameLogits()
    {
        string run = Path.Combine(Path.GetTempPath(), "dwf-export-" + Guid.NewGuid().ToString("N"));
        try
        {
            var folder = new RunFolder(run);
            folder.SaveOrCheck(Presets.Create("micro", "/data", run) with { ImageSize = 24 });
            string weights = folder.MixtureWeights("dwf");
            Directory.CreateDirectory(Path.GetDirectoryName(weights)!);
            using var mixture = SmallMixture();
            mixture.eval();
            SavedModel.Save(mixture, weights, ["cat", "dog", "fox", "owl"]);
            string onnx = Path.Combine(run, "dwf.onnx");

            (await Cli.RunAsync(["export", "--model", weights, "--out", onnx])).Should().Be(0);

            using var served = new OnnxClassifier(onnx);
            served.ClassNames.Should().Equal("cat", "dog", "fox", "owl");
            served.ImageSize.Should().Be(24, "the run folder's config.json says the model was trained at 24×24");
            manual_seed(6);
            using var x = rand(2, 3, 24, 24);
            using var expected = mixture.forward(x);
            var prediction = served.Predict(x.data<float>().ToArray(), 2, 24, 24);
            prediction.Logits.ToArray().Zip(expected.data<float>().ToArray()).Should().OnlyContain(p => Math.Abs(p.First - p.Second) < 1e-4);
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
    public async Task Export_MixtureOutsideARunFolder_TheManifestsImageSize()
    {
        string dir = Directory.CreateTempSubdirectory("dwf-export-").FullName;
        try
        {
            string weights = Path.Combine(dir, "copied.bin");
            using var mixture = SmallMixture();
            mixture.eval();
            SavedModel.Save(mixture, weights, ["cat", "dog", "fox", "owl"], imageSize: 40);
            string onnx = Path.Combine(dir, "copied.onnx");

            (await Cli.RunAsync(["export", "--model", weights, "--out", onnx])).Should().Be(0);

            using var served = new OnnxClassifier(onnx);
            served.ImageSize.Should().Be(40, "the model carries its training size in its manifest, so no run folder is needed (without it: 32)");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Export_WeightsWithoutManifest_FailsNamingTheManifest()
    {
        string missing = Path.Combine(Path.GetTempPath(), "dwf-none-" + Guid.NewGuid().ToString("N") + ".bin");

        (await Cli.RunAsync(["export", "--model", missing, "--out", missing + ".onnx"])).Should().Be(1);
        File.Exists(missing + ".onnx").Should().BeFalse();
    }
}
