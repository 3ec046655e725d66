using Dwf.Robustness.Attacks;
using Dwf.Robustness.Defaults;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Tests.Attacks;

namespace Dwf.Robustness.Tests.Evaluation;

/// <summary>The evaluator switches expectation over transformation on for a randomized model, and says so.</summary>
public class ExpectationEvaluationTests(EvaluationFixture f) : IClassFixture<EvaluationFixture>
{
    private RobustnessReport Evaluate(TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> model, int? samples) =>
        new RobustnessEvaluator(new EvaluationOptions
        {
            Plan = new EvaluationPlan("p", [new EvaluationStage("s", StageKind.Sweep, [new Pgd(0.05, 0.0125, steps: 2)])]),
            BatchSize = 64,
            PerClass = 8,
            ExpectationSamples = samples,
            Seed = 1,
        }).Evaluate(model, f.TestSet, "m");

    [Fact]
    public void Evaluate_RandomizedModel_AveragesGradientsAndSaysSo()
    {
        using var noisy = new NoisyModel(f.Trained.Model, sigma: 0.05);

        var report = Evaluate(noisy, samples: null);

        report.Options.ExpectationSamples.Should().Be(AutoAttackDefaults.ExpectationSamples);
        report.Warnings.Should().Contain(w => w.Code == WarningCode.RandomizedModel && w.Message.Contains("averaged every gradient over 20 passes"));
    }

    [Fact]
    public void Evaluate_DeterministicModel_NoExpectation()
    {
        var report = Evaluate(f.Trained.Model, samples: null);

        report.Options.ExpectationSamples.Should().Be(1);
        report.Warnings.Should().NotContain(w => w.Code == WarningCode.RandomizedModel);
    }

    [Fact]
    public void Evaluate_RandomizedModelExpectationOff_WarnsUpperBound()
    {
        using var noisy = new NoisyModel(f.Trained.Model, sigma: 0.05);

        var report = Evaluate(noisy, samples: 1);

        report.Options.ExpectationSamples.Should().Be(1);
        report.Warnings.Should().Contain(w => w.Code == WarningCode.RandomizedModel && w.Message.Contains("did not run") && w.Message.Contains("upper bound"));
    }

    [Fact]
    public void Validate_ZeroSamples_ThrowsNamingOption()
    {
        var act = () => new EvaluationOptions { ExpectationSamples = 0 }.Validate();

        act.Should().Throw<ArgumentException>().WithMessage("*ExpectationSamples must be ≥ 1*got 0*");
    }
}
