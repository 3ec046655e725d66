using System.Diagnostics;
using Dwf.Robustness.Attacks;
using Dwf.Robustness.Data;
using Dwf.Robustness.Onnx;
using Dwf.Robustness.Persistence;
using Dwf.Robustness.Serving;
using TorchSharp;
using static TorchSharp.torch;

namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// The deployed artifact against the model it was exported from (issue 34): a model saved with its manifest (an
/// expert or a mixture) exported with <see cref="OnnxExport"/>, then on the first N CIFAR-10 test images the largest
/// logit difference between ONNX Runtime and TorchSharp, the predictions that agree, and the images per second of
/// each; optionally Square (L∞ 8/255) with one seed on the first M images against both, image by image.
/// </summary>
internal static class OnnxParityWorkload
{
    public static void Run(string modelPath, int n, int squareImages, int queries, string archive)
    {
        using var all = Cifar10Reader.Load(archive, Cifar10Split.Test);
        var manifest = ModelManifest.Read(ModelManifest.PathFor(modelPath));
        Moe.MixtureOfExperts? mixture = manifest.Kind == ModelKind.Mixture ? SavedModel.LoadMixture(modelPath) : null;
        Experts.Expert? expert = mixture is null ? SavedModel.LoadExpert(modelPath) : null;
        nn.Module<Tensor, Tensor> model = mixture ?? expert!.Module;
        byte[] onnx = mixture is not null ? OnnxExport.Serialize(mixture) : OnnxExport.Serialize(expert!);
        using var classifier = new OnnxClassifier(onnx);
        using var deployed = new OnnxRuntimeModule(classifier);
        Console.WriteLine($"{manifest.Kind} {modelPath}: ONNX model {onnx.Length / 1e6:F1} MB; {torch.get_num_threads()} TorchSharp threads; first {n} test images");

        double maxDifference = 0;
        int agree = 0;
        var torchClock = new Stopwatch();
        var ortClock = new Stopwatch();
        for (int start = 0; start < n; start += 250)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            int count = Math.Min(250, n - start);
            var x = all.Images.narrow(0, start, count).to(ScalarType.Float32) / 255;
            torchClock.Start();
            var expected = model.call(x);
            torchClock.Stop();
            ortClock.Start();
            var actual = deployed.call(x);
            ortClock.Stop();
            maxDifference = Math.Max(maxDifference, (expected - actual).abs().max().item<float>());
            agree += (int)expected.argmax(1).eq(actual.argmax(1)).sum().item<long>();
        }

        Console.WriteLine($"max |logit difference| {maxDifference:E2}; predictions agree on {agree}/{n}");
        Console.WriteLine($"images/s: TorchSharp {n / torchClock.Elapsed.TotalSeconds:F0}, ONNX Runtime {n / ortClock.Elapsed.TotalSeconds:F0}");
        if (squareImages > 0)
        {
            using var scope = NewDisposeScope();
            var x = all.Images.narrow(0, 0, squareImages).to(ScalarType.Float32) / 255;
            var y = all.Labels.narrow(0, 0, squareImages);
            var square = new Square(8.0 / 255, queries);
            var clock = Stopwatch.StartNew();
            var onTorch = Correct(model, square.Perturb(model, x, y, new Generator(0)), y);
            double torchSeconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var onDeployed = Correct(model, square.Perturb(deployed, x, y, new Generator(0)), y);
            Console.WriteLine($"Square-{queries} L∞ 8/255 on {squareImages} images: robust {onTorch.Count(c => c)} (TorchSharp, {torchSeconds:F0} s) / {onDeployed.Count(c => c)} (ONNX Runtime, {clock.Elapsed.TotalSeconds:F0} s); " +
                              $"same outcome on {onTorch.Zip(onDeployed).Count(p => p.First == p.Second)}/{squareImages}");
        }

        model.Dispose();
    }

    /// <summary>Writes the saved model at <paramref name="modelPath"/> as ONNX to <paramref name="onnxPath"/>, with CIFAR-10's class names.</summary>
    public static void Export(string modelPath, string onnxPath)
    {
        string[] cifar10 = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];
        var options = new OnnxExportOptions { ImageSize = 32, ClassNames = cifar10 };
        if (ModelManifest.Read(ModelManifest.PathFor(modelPath)).Kind == ModelKind.Mixture)
        {
            using var mixture = SavedModel.LoadMixture(modelPath);
            OnnxExport.Save(mixture, onnxPath, options);
        }
        else
        {
            var expert = SavedModel.LoadExpert(modelPath);
            OnnxExport.Save(expert, onnxPath, options);
            expert.Module.Dispose();
        }

        Console.WriteLine($"{onnxPath}: {new FileInfo(onnxPath).Length / 1e6:F1} MB");
    }

    private static bool[] Correct(nn.Module<Tensor, Tensor> model, Tensor adversarial, Tensor labels)
    {
        using var noGrad = no_grad();
        return model.call(adversarial).argmax(1).eq(labels).data<bool>().ToArray();
    }
}
