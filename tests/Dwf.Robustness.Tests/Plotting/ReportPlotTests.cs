using System.Buffers.Binary;
using Dwf.Robustness.Attacks;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Plotting;
using Dwf.Robustness.Tests.Evaluation;
using Dwf.Robustness.Tests.TestSupport;

namespace Dwf.Robustness.Tests.Plotting;

public class ReportPlotTests(EvaluationFixture f) : IClassFixture<EvaluationFixture>
{
    /// <summary>FGSM at three ε, PGD at one: the shape of the sample's cpu runs.</summary>
    private RobustnessReport Report() =>
        new RobustnessEvaluator(new EvaluationOptions
        {
            FgsmEpsilons = [0.01, 0.03, 8.0 / 255], PgdEpsilons = [8.0 / 255], PgdSteps = [5], BatchSize = 64, SanityChecks = false,
        }).Evaluate(f.Trained.Model, f.TestSet, "tiny");

    [Fact]
    public void SeriesOf_PgdAtOneEpsilon_MarkerOnlyInPercentAndPixelLevels()
    {
        var report = Report();

        var series = ReportPlot.SeriesOf([report]);

        var pgd = series.Single(s => s.Label == "tiny PGD-5");
        pgd.Connected.Should().BeFalse("one measured ε is a marker, not a line from ε = 0");
        pgd.Epsilons.Should().Equal([8.0], (a, b) => Math.Abs(a - b) < 1e-9);
        pgd.Accuracies.Single().Should().BeApproximately(100 * report.AccuracyUnder(AttackFamily.Pgd, 8.0 / 255, 5)!.Value, 1e-9);
        var fgsm = series.Single(s => s.Label == "tiny FGSM");
        fgsm.Connected.Should().BeTrue();
        fgsm.Epsilons.Should().Equal([2.55, 7.65, 8.0], (a, b) => Math.Abs(a - b) < 1e-9);
        series.Single(s => s.Label == "tiny clean").Epsilons.Should().Equal(0.0);
    }

    [Fact]
    public void SavePngAndSvg_TwoModels_ValidFilesOfRequestedSize()
    {
        using var dir = new TempDirectory();
        var report = Report();

        ReportPlot.SavePng([report, report with { Model = "other" }], dir.File("plot.png"), 640, 400);
        ReportPlot.SaveSvg([report], dir.File("plot.svg"), 640, 400);

        var bytes = File.ReadAllBytes(dir.File("plot.png"));
        bytes[..8].Should().Equal(0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A);
        BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)).Should().Be(640);
        BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)).Should().Be(400);
        File.ReadAllText(dir.File("plot.svg")).Should().Contain("<svg").And.Contain("tiny FGSM");
    }
}
