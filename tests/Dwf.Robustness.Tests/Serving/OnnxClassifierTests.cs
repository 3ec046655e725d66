using Dwf.Robustness.Experts;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Onnx;
using Dwf.Robustness.Serving;
using Dwf.Robustness.Tests.Onnx;
using Dwf.Robustness.Tests.TestSupport;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Serving;

public class OnnxClassifierTests
{
    private static (float[] Images, Tensor Tensor) Images(int n, long seed)
    {
        var (x, _) = SyntheticImages.Make(n, seed: seed);
        return (x.contiguous().data<float>().ToArray(), x);
    }

    /// <summary>Side of <see cref="SyntheticImages"/>' square images.</summary>
    private static int Side => (int)SyntheticImages.Make(1, seed: 0).Images.shape[2];

    [Fact]
    public void Predict_ExportedMixture_SameLogitsLabelsAndGateWeightsAsTorchSharp()
    {
        using var scope = NewDisposeScope();
        using var mixture = OnnxExportTests.Mixture(MixtureMode.Logits, topK: false);
        using var classifier = new OnnxClassifier(OnnxExport.Serialize(mixture));
        var (images, x) = Images(6, seed: 21);

        var prediction = classifier.Predict(images, 6, Side, Side);

        using var noGrad = no_grad();
        var expected = mixture.ForwardDetailed(x);
        (classifier.Classes, classifier.HasGate, classifier.Experts.Count).Should().Be((4, true, 3));
        prediction.Logits.Zip(expected.Logits.data<float>().ToArray()).Max(p => Math.Abs(p.First - p.Second)).Should().BeLessThan(1e-4f);
        Enumerable.Range(0, 6).Select(prediction.Label).Should().Equal(expected.Logits.argmax(1).data<long>().ToArray().Select(l => (int)l));
        prediction.GateWeightsOf(2).ToArray().Zip(expected.GateWeights[2].data<float>().ToArray()).Max(p => Math.Abs(p.First - p.Second)).Should().BeLessThan(1e-5f);
        prediction.ProbabilitiesOf(0).ToArray().Sum().Should().BeApproximately(1f, 1e-5f);
    }

    [Fact]
    public void Predict_ExportedExpert_NoGateWeights()
    {
        using var module = OnnxExportTests.Warmed(new ResNet18(4, 0.125), seed: 2);
        using var classifier = new OnnxClassifier(OnnxExport.Serialize(new Expert(module, "pgd-1", 4)));

        var prediction = classifier.Predict(Images(2, seed: 3).Images, 2, Side, Side);

        classifier.HasGate.Should().BeFalse();
        prediction.GateWeights.Should().BeNull();
        prediction.GateWeightsOf(1).Length.Should().Be(0);
        classifier.Experts.Should().Equal("pgd-1");
    }

    [Fact]
    public void Predict_EightThreadsAtOnce_EveryRequestGetsItsOwnAnswer()
    {
        using var mixture = OnnxExportTests.Mixture(MixtureMode.Probabilities, topK: true);
        using var classifier = new OnnxClassifier(OnnxExport.Serialize(mixture));
        var requests = Enumerable.Range(0, 16).Select(i => Images(1 + i % 3, seed: 100 + i).Images).ToArray();
        int side = Side;
        var alone = requests.Select(r => classifier.Predict(r, r.Length / (3 * side * side), side, side).Logits).ToArray();

        var together = new float[requests.Length][];
        Parallel.For(0, requests.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => together[i] = classifier.Predict(requests[i], requests[i].Length / (3 * side * side), side, side).Logits);

        together.Zip(alone).Should().OnlyContain(p => p.First.SequenceEqual(p.Second));
    }

    [Theory]
    [InlineData(float.NaN, "*Value 5 (image 0) is NaN*[0,1]*")]
    [InlineData(1.5f, "*Value 5 (image 0) is 1.5*")]
    [InlineData(-0.1f, "*is -0.1*")]
    public void Predict_ValueOutsideTheUnitInterval_RefusedNamingIt(float value, string message)
    {
        using var module = new ResNet18(4, 0.125);
        using var classifier = new OnnxClassifier(OnnxExport.Serialize(new Expert(module, "e", 4)));
        var images = new float[3 * 32 * 32];
        images[5] = value;

        var act = () => classifier.Predict(images, 1, 32, 32);

        act.Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Theory]
    [InlineData(2, 32, 32, "*2 images of 3×32×32 need 6144 values*got 3072*")]
    [InlineData(0, 32, 32, "*batch 0*")]
    [InlineData(1, 5000, 1, "*1 to 4096 pixels*")]
    public void Predict_ShapeNotMatchingTheValues_RefusedNamingBoth(int batch, int height, int width, string message)
    {
        using var module = new ResNet18(4, 0.125);
        using var classifier = new OnnxClassifier(OnnxExport.Serialize(new Expert(module, "e", 4)));

        var act = () => classifier.Predict(new float[3 * 32 * 32], batch, height, width);

        act.Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void Constructor_DamagedFile_InvalidDataExceptionNamingIt()
    {
        using var dir = new TempDirectory();
        using var module = new ResNet18(4, 0.125);
        byte[] model = OnnxExport.Serialize(new Expert(module, "e", 4));
        File.WriteAllBytes(dir.File("cut.onnx"), model[..(model.Length / 2)]);

        var act = () => new OnnxClassifier(dir.File("cut.onnx"));

        act.Should().Throw<InvalidDataException>().WithMessage("*ONNX Runtime cannot load*cut.onnx*");
    }

    [Fact]
    public void Constructor_OnnxModelOfAnotherTool_RefusedNamingWhatIsMissing()
    {
        var graph = new OnnxGraph();
        string input = graph.Reserve("x");
        var output = graph.Name(graph.Op("Relu", [input]), "y");
        byte[] model = graph.ToModel("other", input, 3, [(output, 3)], "1", new Dictionary<string, string>());

        var act = () => new OnnxClassifier(model);

        act.Should().Throw<InvalidDataException>().WithMessage("*not a model exported by Dwf.Robustness.Onnx*'images'*'logits'*dwf.classes*");
    }

    [Fact]
    public void Assembly_ReferencesNeitherTorchSharpNorTheCoreLibrary()
    {
        var references = typeof(OnnxClassifier).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        references.Should().Contain("Microsoft.ML.OnnxRuntime");
        references.Should().NotContain(n => n!.StartsWith("TorchSharp", StringComparison.Ordinal) || n == "Dwf.Robustness",
            "a service runs the exported model without libtorch");
    }

    [Fact]
    public void Constructor_ExportedWithImageSizeAndClassNames_ExposesBoth()
    {
        using var module = new ResNet18(3, 0.125);
        var options = new OnnxExportOptions { ImageSize = 64, ClassNames = ["cat", "dog", "ship"] };

        using var classifier = new OnnxClassifier(OnnxExport.Serialize(new Expert(module, "e", 3), options));

        classifier.ImageSize.Should().Be(64);
        classifier.ClassNames.Should().Equal("cat", "dog", "ship");
    }

    [Theory]
    [InlineData(0, null, "*ImageSize*1 to 4096*got 0*")]
    [InlineData(32, new[] { "cat", "dog" }, "*ClassNames*3 classes*got 2*")]
    [InlineData(32, new[] { "cat", "dog\r", "ship" }, "*ClassNames*'dog\\u000d' is not a class name*without control characters*")]
    [InlineData(32, new[] { "cat", "\t", "ship" }, "*ClassNames*'\\u0009' is not a class name*")]
    public void Serialize_BadExportOptions_RefusedNamingTheSetting(int size, string[]? names, string message)
    {
        using var module = new ResNet18(3, 0.125);

        var act = () => OnnxExport.Serialize(new Expert(module, "e", 3), new OnnxExportOptions { ImageSize = size, ClassNames = names });

        act.Should().Throw<ArgumentException>().WithMessage(message);
    }
}
