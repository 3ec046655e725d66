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
        json.Should().Contain("\"schemaVersion\": 2").And.Contain("\"cleanAccuracy\"").And.Contain("\"worstCase\"");
        json.Should().Contain("\"family\": \"Pgd\"").And.Contain("PGD-20(ε=0.05", "enums are names and Greek letters are not escaped");
        back.Attacks[0].Outcomes!.ToArray().Should().Equal(report.Attacks[0].Outcomes!.ToArray());
    }

    [Fact]
    public void Read_CommittedSchema1Reports_LoadWithDescriptorsAndLegacyWorstCase()
    {
        var folder = Path.Combine(RepositoryRoot(), "docs", "results", "cpu-small", "reports");
        var files = Directory.GetFiles(folder, "*.json");
        files.Should().NotBeEmpty();
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            if (!text.Contains("\"schemaVersion\": 1", StringComparison.Ordinal))
            {
                continue;
            }

            var report = ReportJson.Read(file);
            report.SchemaVersion.Should().Be(1);
            report.Attacks.Should().NotBeEmpty().And.OnlyContain(a => a.Descriptor.Family == Dwf.Robustness.Attacks.AttackFamily.Fgsm || a.Descriptor.Family == Dwf.Robustness.Attacks.AttackFamily.Pgd);
            report.Attacks.Should().OnlyContain(a => a.Interval.Lower <= a.Accuracy && a.Accuracy <= a.Interval.Upper);
            report.LegacyWorstCaseAcrossBudgets.Should().NotBeNull();
            report.WorstCase.Should().BeEmpty("schema 1 has no per-image outcomes to build a per-ε worst case from");
            report.AccuracyUnder(Dwf.Robustness.Attacks.AttackFamily.Pgd, 8.0 / 255, 20).Should().NotBeNull();
        }
    }

    [Fact]
    public void Json_Report_HasEveryPropertyTheJsonSchemaRequires()
    {
        using var schema = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "report-schema-v2.json")));
        using var json = System.Text.Json.JsonDocument.Parse(ReportJson.Serialize(Report()));
        var root = json.RootElement;

        static IEnumerable<string> Required(System.Text.Json.JsonElement e) => e.GetProperty("required").EnumerateArray().Select(x => x.GetString()!);
        Required(schema.RootElement).Where(p => !root.TryGetProperty(p, out _)).Should().BeEmpty("every top-level property the schema requires is written");
        var descriptor = root.GetProperty("attacks")[0].GetProperty("descriptor");
        Required(schema.RootElement.GetProperty("$defs").GetProperty("descriptor")).Where(p => !descriptor.TryGetProperty(p, out _)).Should().BeEmpty();
        var worst = root.GetProperty("worstCase")[0];
        Required(schema.RootElement.GetProperty("properties").GetProperty("worstCase").GetProperty("items")).Where(p => !worst.TryGetProperty(p, out _)).Should().BeEmpty();
        root.GetProperty("schemaVersion").GetInt32().Should().Be(schema.RootElement.GetProperty("properties").GetProperty("schemaVersion").GetProperty("const").GetInt32());
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Dwf.Robustness.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Dwf.Robustness.sln not found above the test binaries.");
    }

    [Fact]
    public void Json_WrongSchemaVersion_Refused()
    {
        var json = ReportJson.Serialize(Report()).Replace("\"schemaVersion\": 2", "\"schemaVersion\": 99");
        var act = () => ReportJson.Deserialize(json);
        act.Should().Throw<InvalidDataException>().WithMessage("*99*");
    }

    [Fact]
    public void Markdown_Report_HasAttackAndClassTables()
    {
        var report = Report();
        var md = ReportMarkdown.Render(report);

        md.Should().Contain("| | clean | 0 |").And.Contain("| paper | PGD-20(ε=0.05, α=0.0125) | 0.05 |").And.Contain("Worst case per ε");
        md.Should().Contain("| 0.02 | **").And.Contain("| 0.05 | **").And.NotContain("worst case over all attacks");
        md.Should().Contain("| a |").And.Contain("Sanity checks: no warnings.");
        ReportMarkdown.RenderComparison([report, report with { Model = "other" }]).Split('\n').Should().Contain(l => l.StartsWith("| other |"));
    }

    [Fact]
    public void Deserialize_WarningsAsStringsOfAnOlderSchema2Report_LoadAsUnclassified()
    {
        var report = Report() with { Warnings = [new EvaluationWarning(WarningCode.LargeEpsilonAccuracy, "kept")] };
        string json = ReportJson.Serialize(report);
        string older = json.Replace("{\n      \"code\": \"LargeEpsilonAccuracy\",\n      \"message\": \"kept\"\n    }", "\"kept\"", StringComparison.Ordinal);
        older.Should().NotBe(json, "the test rewrites the warning as a schema-2 report written before codes did");

        ReportJson.Deserialize(older).Warnings.Should().Equal(new EvaluationWarning(WarningCode.Unclassified, "kept"));
        ReportJson.Deserialize(json).Warnings.Should().Equal(new EvaluationWarning(WarningCode.LargeEpsilonAccuracy, "kept"));
    }
}
