using System.Globalization;
using System.Text;
using Dwf.Robustness.Infrastructure;

namespace Dwf.Robustness.Evaluation;

/// <summary>Renders reports as Markdown: one report in detail, or several side by side.</summary>
public static class ReportMarkdown
{
    private static string P(double v) => double.IsNaN(v) ? "–" : (100 * v).ToString("0.00", CultureInfo.InvariantCulture);

    private static string E(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);

    private static string I(ConfidenceInterval? ci) => ci is null ? "–" : $"{P(ci.Lower)}–{P(ci.Upper)}";

    private static string Header(Attacks.AttackDescriptor d) => d.Family switch
    {
        Attacks.AttackFamily.Fgsm => $"FGSM {E(d.Epsilon)}",
        Attacks.AttackFamily.Pgd => $"PGD-{d.Steps} {E(d.Epsilon)}",
        _ => d.DisplayName,
    };

    /// <summary>One report: summary, attack table with intervals, worst case per ε, per-class table, gate weights, warnings.</summary>
    /// <param name="report">The report.</param>
    public static string Render(RobustnessReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder();
        sb.AppendLine($"## {report.Model}").AppendLine();
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Data: {report.Dataset} ({report.Samples} images). Accuracies in %. Evaluated in {report.Seconds:F0} s.")).AppendLine();
        sb.AppendLine($"Plan: {report.Plan.Name}{(report.Options.AttackedAfter is { } after ? $", attacking only the images robust after {after}" : "")}. Threat model: {report.ThreatModel}. Intervals: Wilson 95%.").AppendLine();
        sb.AppendLine("| stage | attack | ε | accuracy | 95% CI |").AppendLine("|---|---|---|---|---|");
        sb.AppendLine($"| | clean | 0 | {P(report.CleanAccuracy)} | {I(report.CleanInterval)} |");
        foreach (var a in report.Attacks)
        {
            string stage = a.Kind == StageKind.Cascade ? $"{a.Stage} (cascade, cumulative)" : a.Stage;
            sb.AppendLine($"| {stage} | {a.Attack} | {E(a.Epsilon)} | {P(a.Accuracy)} | {I(a.Interval)} |");
        }

        sb.AppendLine();
        if (report.WorstCase.Count > 0)
        {
            sb.AppendLine("Worst case per ε (correct clean and under every attack at that budget):").AppendLine();
            sb.AppendLine("| ε | robust accuracy | 95% CI | attacks |").AppendLine("|---|---|---|---|");
            foreach (var w in report.WorstCase)
            {
                sb.AppendLine($"| {E(w.Epsilon)} | **{P(w.Accuracy)}** | {I(w.Interval)} | {w.Attacks.Count} |");
            }

            sb.AppendLine();
        }
        else if (report.LegacyWorstCaseAcrossBudgets is { } legacy)
        {
            sb.AppendLine($"Schema-1 report: its worst case over all attacks ({P(legacy)}) mixes budgets and is not a robust accuracy at any ε.").AppendLine();
        }

        sb.Append("| class | clean |").Append(string.Concat(report.WorstCase.Select(w => $" worst ε={E(w.Epsilon)} |"))).AppendLine();
        sb.Append("|---|---|").Append(string.Concat(report.WorstCase.Select(_ => "---|"))).AppendLine();
        for (int c = 0; c < report.ClassNames.Count; c++)
        {
            sb.Append($"| {report.ClassNames[c]} | {P(report.PerClassClean[c])} |")
                .Append(string.Concat(report.WorstCase.Select(w => $" {P(w.PerClass[c])} |"))).AppendLine();
        }

        if (report.Gate is { } gate)
        {
            sb.AppendLine().AppendLine($"Mean gate weight per expert (attacked: {gate.AttackedBy}):").AppendLine();
            sb.AppendLine("| expert | clean | attacked |").AppendLine("|---|---|---|");
            for (int i = 0; i < gate.Experts.Count; i++)
            {
                sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {gate.Experts[i]} | {gate.Clean[i]:0.000} | {gate.Attacked[i]:0.000} |"));
            }
        }

        sb.AppendLine().AppendLine(report.Warnings.Count == 0
            ? "Sanity checks: no warnings."
            : "**Sanity-check warnings:**\n\n" + string.Join("\n", report.Warnings.Select(w => $"- {w.Message}")));
        return sb.ToString();
    }

    /// <summary>Several reports side by side: clean, every attack and the worst case per ε, one row per model (columns from the first report).</summary>
    /// <param name="reports">Reports of the same sweep.</param>
    public static string RenderComparison(IReadOnlyList<RobustnessReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        if (reports.Count == 0)
        {
            return string.Empty;
        }

        var columns = reports[0].Attacks.Select(a => a.Descriptor).ToList();
        var budgets = reports[0].WorstCase.Select(w => w.Epsilon).ToList();
        var sb = new StringBuilder();
        sb.Append("| model | clean | ").Append(string.Join(" | ", columns.Select(Header)))
            .Append(string.Concat(budgets.Select(e => $" | worst ε={E(e)}"))).AppendLine(" |");
        sb.Append("|---|---|").Append(string.Concat(columns.Select(_ => "---|"))).Append(string.Concat(budgets.Select(_ => "---|"))).AppendLine();
        foreach (var r in reports)
        {
            var cells = columns.Select(c => r.Attacks.FirstOrDefault(a => a.Descriptor.Matches(c)) is { } hit ? P(hit.Accuracy) : "–");
            var worst = budgets.Select(e => r.RobustAccuracyAt(e) is { } acc ? P(acc) : "–");
            sb.AppendLine($"| {r.Model} | {P(r.CleanAccuracy)} | {string.Join(" | ", cells.Concat(worst))} |");
        }

        return sb.ToString();
    }

    /// <summary>Writes <see cref="Render"/> to a file atomically.</summary>
    /// <param name="report">The report.</param>
    /// <param name="path">Destination.</param>
    public static void Write(RobustnessReport report, string path) => AtomicFile.WriteAllText(path, Render(report));
}
