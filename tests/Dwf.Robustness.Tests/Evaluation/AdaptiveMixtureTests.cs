using Dwf.Robustness.Attacks;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Tests.TestSupport;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Evaluation;

public class AdaptiveMixtureTests(EvaluationFixture f) : IClassFixture<EvaluationFixture>
{
    private static EvaluationOptions Options(bool adaptive = true) => new()
    {
        FgsmEpsilons = [0.03],
        PgdEpsilons = [0.05],
        PgdSteps = [3, 5],
        PgdStepSize = 0.0125,
        BatchSize = 128,
        SanityChecks = false,
        AdaptiveMixtureChecks = adaptive,
    };

    [Fact]
    public void Evaluate_Mixture_GateDetachedAndTransferFromEveryExpertFoldedIntoWorstCase()
    {
        using var moe = TinyMixture.Create(experts: 3);

        var report = new RobustnessEvaluator(Options()).Evaluate(moe, f.TestSet, "moe");

        var adaptive = report.Attacks.Where(a => a.Surrogate is not null).ToList();
        adaptive.Select(a => a.Surrogate).Should().Equal("gate detached", "transfer from e0", "transfer from e1", "transfer from e2");
        adaptive.Should().OnlyContain(a => a.Descriptor.Steps == 5 && a.Epsilon == 0.05 && a.Stage == "adaptive", "the strongest PGD of the plan at that ε");
        var worst = report.WorstCase.Single(w => w.Epsilon == 0.05).Outcomes.ToArray();
        var expected = report.CleanOutcomes!.ToArray().Select((c, i) => c && report.Attacks.Where(a => a.Epsilon == 0.05).All(a => a.Outcomes!.ToArray()[i])).ToArray();
        worst.Should().Equal(expected);
        report.WorstCase.Single(w => w.Epsilon == 0.03).Attacks.Should().ContainSingle("FGSM alone has no gradient attack to adapt");
        report.AccuracyUnder(AttackFamily.Pgd, 0.05, 5).Should().Be(report.Attacks.First(a => a.Surrogate is null && a.Descriptor.Steps == 5).Accuracy);
        report.Plan.Stages.Select(s => s.Name).Should().Equal("paper", "adaptive");
    }

    [Fact]
    public void Evaluate_AdaptiveChecksOff_OnlyThePlan()
    {
        using var moe = TinyMixture.Create(experts: 2);
        var report = new RobustnessEvaluator(Options(adaptive: false)).Evaluate(moe, f.TestSet, "moe");
        report.Attacks.Should().HaveCount(3).And.OnlyContain(a => a.Surrogate == null);
    }

    [Fact]
    public void GateDetachedSurrogate_SameLogitsNoGradientThroughGate()
    {
        using var scope = NewDisposeScope();
        using var moe = TinyMixture.Create(experts: 3);
        moe.eval();
        using var surrogate = new GateDetachedSurrogate(moe);
        var x = f.Trained.TestImages.narrow(0, 0, 8).clone().requires_grad_(true);

        var logits = surrogate.call(x);
        using (no_grad())
        {
            (logits - moe.call(x)).abs().max().item<float>().Should().Be(0f);
        }

        var gateGradient = autograd.grad([moe.ForwardDetailed(x).GateWeights.sum()], [x])[0];
        gateGradient.abs().max().item<float>().Should().BeGreaterThan(0f, "the real gate does depend on the input");
        logits.sum().backward();
        moe.Gate.parameters().Where(p => p.grad is { } g && g.abs().max().item<float>() != 0f).Should().BeEmpty("no gradient reaches the gate through the surrogate");
        moe.Experts[0].Module.parameters().Where(p => p.grad is { } g && g.abs().max().item<float>() != 0f).Should().NotBeEmpty("the experts still get theirs");
        moe.zero_grad();
    }

    private sealed class NoisyModel(nn.Module<Tensor, Tensor> inner) : nn.Module<Tensor, Tensor>("Noisy")
    {
        public override Tensor forward(Tensor input) => inner.call(input) + 0.1 * randn(input.shape[0], 4);
    }

    [Fact]
    public void Evaluate_RandomizedModel_WarnsThatItIsRandomized()
    {
        using var noisy = new NoisyModel(f.Trained.Model);
        var report = new RobustnessEvaluator(Options() with { SanityChecks = true }).Evaluate(noisy, f.TestSet, "noisy");
        report.Warnings.Should().Contain(w => w.Code == WarningCode.RandomizedModel && w.Message.Contains("randomized"));
    }
}
