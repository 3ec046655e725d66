using Dwf.Robustness.Attacks;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Onnx;
using Dwf.Robustness.Serving;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Onnx;

public class OnnxRuntimeModuleTests
{
    [Fact]
    public void Square_OnTheOnnxRuntimeModel_SameOutcomesAsOnTheTorchSharpModel()
    {
        using var scope = NewDisposeScope();
        using var mixture = OnnxExportTests.Mixture(MixtureMode.Logits, topK: false);
        using var classifier = new OnnxClassifier(OnnxExport.Serialize(mixture));
        using var deployed = new OnnxRuntimeModule(classifier);
        var (x, y) = SyntheticImages.Make(12, seed: 31);
        var square = new Square(8.0 / 255, queries: 60);

        var onTorch = Correct(mixture, square.Perturb(mixture, x, y, new Generator(5)), y);
        var onDeployed = Correct(mixture, square.Perturb(deployed, x, y, new Generator(5)), y);

        onDeployed.Should().Equal(onTorch, "the deployed artifact answers the same queries with the same logits (within 1e-4), so Square walks the same path");
    }

    [Fact]
    public void Forward_InputRequiringAGradient_RefusedNamingSquare()
    {
        using var mixture = OnnxExportTests.Mixture(MixtureMode.Logits, topK: false);
        using var classifier = new OnnxClassifier(OnnxExport.Serialize(mixture));
        using var deployed = new OnnxRuntimeModule(classifier);
        using var x = rand(2, 3, 8, 8).requires_grad_(true);

        var act = () => deployed.call(x);

        act.Should().Throw<NotSupportedException>().WithMessage("*no gradients*Square*");
    }

    [Fact]
    public void Evaluate_OnnxRuntimeModelWithSquare_CleanAccuracyEqualsTheTorchSharpModels()
    {
        using var mixture = OnnxExportTests.Mixture(MixtureMode.Probabilities, topK: true);
        using var classifier = new OnnxClassifier(OnnxExport.Serialize(mixture));
        using var deployed = new OnnxRuntimeModule(classifier);
        using var data = SyntheticDataset.Create(40);
        var options = new EvaluationOptions { Plan = new EvaluationPlan("square", [new EvaluationStage("square", StageKind.Sweep, [new Square(8.0 / 255, queries: 20)])]), SanityChecks = false, AdaptiveMixtureChecks = false, GradientCheck = Dwf.Robustness.Numerics.GradientCheckMode.Off };

        var onDeployed = new RobustnessEvaluator(options).Evaluate(deployed, data, "deployed");
        var onTorch = new RobustnessEvaluator(options).Evaluate(mixture, data, "torch");

        onDeployed.CleanAccuracy.Should().Be(onTorch.CleanAccuracy);
        onDeployed.Attacks[0].Outcomes!.ToArray().Should().Equal(onTorch.Attacks[0].Outcomes!.ToArray());
    }

    private static bool[] Correct(nn.Module<Tensor, Tensor> model, Tensor adversarial, Tensor labels)
    {
        using var noGrad = no_grad();
        return model.call(adversarial).argmax(1).eq(labels).data<bool>().ToArray();
    }
}
