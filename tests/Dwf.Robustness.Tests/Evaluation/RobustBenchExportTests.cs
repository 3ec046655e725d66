using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Tests.TestSupport;

namespace Dwf.Robustness.Tests.Evaluation;

public class RobustBenchExportTests(EvaluationFixture f) : IClassFixture<EvaluationFixture>
{
    [Fact]
    public void ToModelInfo_RapidPlan_FieldsAndFootnote()
    {
        var options = new EvaluationOptions { Plan = EvaluationPlans.AutoAttackRapid(8.0 / 255, steps: 3), BatchSize = 128, SanityChecks = false };
        var report = new RobustnessEvaluator(options).Evaluate(f.Trained.Model, f.TestSet, "tiny");

        var info = RobustBenchExport.ToModelInfo(report, 8.0 / 255, "Tiny", "Us", "https://example.org", reported: 12.5);

        info["eps"]!.GetValue<string>().Should().Be("8/255");
        info["dataset"]!.GetValue<string>().Should().Be("cifar10");
        info["clean_acc"]!.GetValue<string>().Should().Be((100 * report.CleanAccuracy).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
        info["autoattack_acc"]!.GetValue<string>().Should().Be((100 * report.RobustAccuracyAt(8.0 / 255)!.Value).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
        info["reported"]!.GetValue<string>().Should().Be("12.5");
        info["number_forward_passes"]!.GetValue<int>().Should().Be(1);
        info["footnote"]!.GetValue<string>().Should().Contain("upper bound");
        RobustBenchExport.Serialize(info).Should().Contain("\"autoattack_acc\"");
    }

    [Fact]
    public void ToModelInfo_PaperPlan_NoAutoAttackNumber()
    {
        var report = new RobustnessEvaluator(RobustnessEvaluatorTests.Small() with { SanityChecks = false }).Evaluate(f.Trained.Model, f.TestSet, "tiny");

        var info = RobustBenchExport.ToModelInfo(report, 0.05, "Tiny", "Us", "");

        info["autoattack_acc"]!.GetValue<string>().Should().BeEmpty("PGD is not AutoAttack");
        var missing = () => RobustBenchExport.ToModelInfo(report, 8.0 / 255, "Tiny", "Us", "");
        missing.Should().Throw<ArgumentException>().WithMessage("*no worst case at ε=0.0313*0.02, 0.05*");
    }
}
