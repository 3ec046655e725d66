using System.Buffers.Binary;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Tests.TestSupport;

namespace Dwf.Robustness.Tests.Evaluation;

public class ReportWriterTests(EvaluationFixture f) : IClassFixture<EvaluationFixture>
{
    private RobustnessReport Report() =>
        new RobustnessEvaluator(RobustnessEvaluatorTests.Small() with { SanityChecks = false }).Evaluate(f.Trained.Model, f.TestSet, "tiny");

    [Fact]
    public void Json_RoundTrip_PreservesEveryValue()
    {
        var report = Report();

        var json = ReportJson.Serialize(report);
        var back = ReportJson.Deserialize(json);

        ReportJson.Serialize(back).Should().Be(json);
        back.Should().BeEquivalentTo(report);
        json.Should().Contain("\"schemaVersion\": 1").And.Contain("\"cleanAccuracy\"").And.Contain("\"robustAccuracy\"");
    }

    [Fact]
    public void Json_WrongSchemaVersion_Refused()
    {
        var json = ReportJson.Serialize(Report()).Replace("\"schemaVersion\": 1", "\"schemaVersion\": 99");
        var act = () => ReportJson.Deserialize(json);
        act.Should().Throw<InvalidDataException>().WithMessage("*99*");
    }

    [Fact]
    public void Png_TwoModels_ValidImageOfRequestedSize()
    {
        using var dir = new TempDirectory();
        var report = Report();
        string path = dir.File("plot.png");

        ReportPlot.SavePng([report, report with { Model = "other" }], path, 640, 400);

        var bytes = File.ReadAllBytes(path);
        bytes[..8].Should().Equal(0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A);
        BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)).Should().Be(640);
        BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)).Should().Be(400);
    }

    [Fact]
    public void Markdown_Report_HasAttackAndClassTables()
    {
        var report = Report();
        var md = ReportMarkdown.Render(report);

        md.Should().Contain("| clean | 0 | – |").And.Contain("| PGD | 0.05 | 20 |").And.Contain("worst case over all attacks");
        md.Should().Contain("| a |").And.Contain("Sanity checks: no warnings.");
        ReportMarkdown.RenderComparison([report, report with { Model = "other" }]).Split('\n').Should().Contain(l => l.StartsWith("| other |"));
    }
}
