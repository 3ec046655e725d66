using Dwf.Robustness.Defenses.Soe;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Tests.Defenses.Soe;
using Dwf.Robustness.Tests.TestSupport;

namespace Dwf.Robustness.Tests.Evaluation;

/// <summary>The evaluator sees routing through <see cref="Routing.IRoutedModel"/>: SoE's hard selection and top-1 gates get the adaptive checks, and the routing-gradient check fires when they are off.</summary>
public class RoutedModelEvaluationTests(EvaluationFixture f) : IClassFixture<EvaluationFixture>
{
    private const string RoutingWarning = "routing weights have an exactly zero input gradient";

    private static EvaluationOptions Options(bool adaptive) => new()
    {
        FgsmEpsilons = [0.05],
        PgdEpsilons = [0.05],
        PgdSteps = [5],
        PgdStepSize = 0.0125,
        BatchSize = 128,
        SanityChecks = true,
        AdaptiveMixtureChecks = adaptive,
    };

    [Fact]
    public void Evaluate_SoeWithoutAdaptiveChecks_RoutingGradientCheckFires()
    {
        using var soe = SynergyOfExpertsTests.Tiny();

        var report = new RobustnessEvaluator(Options(adaptive: false)).Evaluate(soe, f.TestSet, "soe-naive");

        report.Warnings.Should().Contain(w => w.Code == WarningCode.RoutingGradientZero && w.Message.Contains(RoutingWarning, StringComparison.Ordinal));
        report.Attacks.Should().OnlyContain(a => a.Surrogate == null);
    }

    [Fact]
    public void Evaluate_SoeWithAdaptiveChecks_SoftSelectionAndEveryExpertAttackedWorstCaseNoWeaker()
    {
        using var soe = SynergyOfExpertsTests.Tiny();
        using var naiveSoe = SynergyOfExpertsTests.Tiny();
        var naive = new RobustnessEvaluator(Options(adaptive: false)).Evaluate(naiveSoe, f.TestSet, "soe-naive");

        var report = new RobustnessEvaluator(Options(adaptive: true)).Evaluate(soe, f.TestSet, "soe");

        report.Attacks.Where(a => a.Surrogate is not null).Select(a => a.Surrogate)
            .Should().Equal("soft selection (T=0.1)", "expert soe-1", "expert soe-2", "expert soe-3");
        report.Warnings.Should().NotContain(w => w.Code == WarningCode.RoutingGradientZero && w.Message.Contains(RoutingWarning, StringComparison.Ordinal), "the adaptive attacks were run");
        var worst = report.WorstCase.Single(w => w.Epsilon == 0.05);
        var naiveWorst = naive.WorstCase.Single(w => w.Epsilon == 0.05);
        worst.Correct.Should().BeLessThanOrEqualTo(naiveWorst.Correct, "the same plan plus adaptive attacks, on the same images and seeds");
        report.Gate!.Experts.Should().Equal("soe-1", "soe-2", "soe-3");
        report.Gate.Clean.Sum().Should().BeApproximately(1, 1e-6);
        report.ModelInfo!.ForwardPassesPerPrediction.Should().Be(3);
        report.ModelInfo!.Architecture.Should().StartWith("SynergyOfExperts(3 experts");
    }

    [Fact]
    public void Evaluate_SoeWithFgsmOnlyPlan_NoAdaptiveAttackPossibleSoTheRoutingCheckFires()
    {
        using var soe = SynergyOfExpertsTests.Tiny();
        var options = Options(adaptive: true) with { PgdEpsilons = [] };

        var report = new RobustnessEvaluator(options).Evaluate(soe, f.TestSet, "soe-fgsm");

        report.Attacks.Should().OnlyContain(a => a.Surrogate == null, "the adaptive checks reuse the plan's PGD/APGD, and there is none");
        report.Warnings.Should().Contain(w => w.Code == WarningCode.RoutingGradientZero && w.Message.Contains(RoutingWarning, StringComparison.Ordinal));
    }

    [Fact]
    public void Evaluate_SoftGateMixtureWithoutAdaptiveChecks_NoRoutingWarning()
    {
        using var moe = TinyMixture.Create(experts: 3);

        var report = new RobustnessEvaluator(Options(adaptive: false)).Evaluate(moe, f.TestSet, "moe");

        report.Warnings.Should().NotContain(w => w.Code == WarningCode.RoutingGradientZero && w.Message.Contains(RoutingWarning, StringComparison.Ordinal), "soft weights have a gradient");
    }

    [Fact]
    public void Evaluate_TopOneGateWithoutAdaptiveChecks_RoutingGradientCheckFires()
    {
        using var moe = new MixtureOfExperts(TinyMixture.Experts(3), new TopKGate(new SoftGate(3, width: 4), k: 1));

        var report = new RobustnessEvaluator(Options(adaptive: false)).Evaluate(moe, f.TestSet, "top-1");

        report.Warnings.Should().Contain(w => w.Code == WarningCode.RoutingGradientZero && w.Message.Contains(RoutingWarning, StringComparison.Ordinal), "the softmax of a single kept score is 1 whatever the input");
    }
}
