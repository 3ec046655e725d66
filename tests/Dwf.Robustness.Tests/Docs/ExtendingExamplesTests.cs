using Dwf.Robustness.Attacks;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Moe;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Docs;

/// <summary>The examples of docs/extending.md, compiled and run, so the page cannot drift from the code.</summary>
public class ExtendingExamplesTests
{
    /// <summary>docs/extending.md, "An attack": uniform noise in the ε-ball — a new file, no edit elsewhere.</summary>
    public sealed class UniformNoise(double epsilon) : AttackBase(epsilon, AttackLoss.CrossEntropy, targeted: false)
    {
        public override AttackDescriptor Descriptor => new(AttackFamily.Custom, ThreatModel.Linf, Epsilon, 1, 1, Loss, Targeted);

        protected override Tensor Attack(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator? generator) =>
            Project(images + Epsilon * (2 * rand(images.shape, generator: generator) - 1), images);
    }

    /// <summary>docs/extending.md, "A gate": any module returning [B,E] weights; here a fixed, input-independent mix.</summary>
    public sealed class FixedGate(int experts) : nn.Module<Tensor, Tensor>(nameof(FixedGate))
    {
        public override Tensor forward(Tensor input) => full(new long[] { input.shape[0], experts }, 1.0 / experts, device: input.device);
    }

    [Fact]
    public void UniformNoise_InAnEvaluationStage_StaysInTheBallAndIsReported()
    {
        using var scope = NewDisposeScope();
        using var data = SyntheticDataset.Create(64);
        using var model = new TinyCnn(4, seed: 1);
        var plan = new EvaluationPlan("noise", [new EvaluationStage("noise", StageKind.Sweep, [new UniformNoise(0.05)])]);

        var report = new RobustnessEvaluator(new EvaluationOptions { Plan = plan, SanityChecks = false, BatchSize = 32 }).Evaluate(model, data, "tiny");
        var x = data.Images.to(ScalarType.Float32) / 255;
        var adversarial = new UniformNoise(0.05).Perturb(model, x, data.Labels, new Generator(1));

        report.Attacks.Single().Descriptor.Family.Should().Be(AttackFamily.Custom);
        (adversarial - x).abs().max().item<float>().Should().BeLessThanOrEqualTo(0.05f + 1e-6f);
    }

    [Fact]
    public void FixedGate_InAMixture_WeightsEveryExpertEqually()
    {
        using var scope = NewDisposeScope();
        using var mixture = new MixtureOfExperts(TinyMixture.Experts(3), new FixedGate(3));
        mixture.eval();

        using var output = mixture.ForwardDetailed(rand(2, 3, 8, 8));

        output.GateWeights.allclose(full(new long[] { 2, 3 }, 1.0 / 3)).Should().BeTrue();
    }
}
