using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Tests.TestSupport;

namespace Dwf.Robustness.Tests.Evaluation;

public class ReportMarkdownCultureTests(EvaluationFixture f) : IClassFixture<EvaluationFixture>
{
    [Fact]
    public void Render_MixtureReportUnderGermanCulture_InvariantNumbers()
    {
        using var moe = TinyMixture.Create(experts: 2);
        var report = new RobustnessEvaluator(new EvaluationOptions { FgsmEpsilons = [0.03], PgdEpsilons = [0.05], PgdSteps = [2], BatchSize = 128, SanityChecks = false })
            .Evaluate(moe, f.TestSet, "moe");
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            var md = ReportMarkdown.Render(report);
            md.Should().MatchRegex(@"\| e0 \| 0\.\d{3} \|", "gate weights use a decimal point in every culture");
            md.Should().NotMatchRegex(@"\d,\d", "no decimal comma anywhere");
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }
}
