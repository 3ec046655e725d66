using System.Globalization;
using System.Text;
using Dwf.Robustness.Infrastructure;

namespace Dwf.Robustness.Evaluation;

/// <summary>Renders reports as Markdown: one report in detail, or several side by side.</summary>
public static class ReportMarkdown
{
    private static string P(double v) => double.IsNaN(v) ? "–" : (100 * v).ToString("0.00", CultureInfo.InvariantCulture);

    private static string E(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>One report: summary, attack table, per-class table, gate weights, warnings.</summary>
    /// <param name="report">The report.</param>
    public static string Render(RobustnessReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder();
        sb.AppendLine($"## {report.Model}").AppendLine();
        sb.AppendLine($"Data: {report.Dataset} ({report.Samples} images). Accuracies in %. Evaluated in {report.Seconds:F0} s.").AppendLine();
        sb.AppendLine("| attack | ε | steps | accuracy |").AppendLine("|---|---|---|---|");
        sb.AppendLine($"| clean | 0 | – | {P(report.CleanAccuracy)} |");
        foreach (var a in report.Attacks)
        {
            sb.AppendLine($"| {a.Family} | {E(a.Epsilon)} | {(a.Family == "FGSM" ? "–" : a.Steps.ToString(CultureInfo.InvariantCulture))} | {P(a.Accuracy)} |");
        }

        sb.AppendLine($"| **worst case over all attacks** | | | **{P(report.RobustAccuracy)}** |").AppendLine();
        sb.AppendLine("| class | clean | worst case |").AppendLine("|---|---|---|");
        for (int c = 0; c < report.ClassNames.Count; c++)
        {
            sb.AppendLine($"| {report.ClassNames[c]} | {P(report.PerClassClean[c])} | {P(report.PerClassRobust[c])} |");
        }

        if (report.Gate is { } gate)
        {
            sb.AppendLine().AppendLine($"Mean gate weight per expert (attacked: {gate.AttackedBy}):").AppendLine();
            sb.AppendLine("| expert | clean | attacked |").AppendLine("|---|---|---|");
            for (int i = 0; i < gate.Experts.Count; i++)
            {
                sb.AppendLine($"| {gate.Experts[i]} | {gate.Clean[i]:0.000} | {gate.Attacked[i]:0.000} |");
            }
        }

        sb.AppendLine().AppendLine(report.Warnings.Count == 0
            ? "Sanity checks: no warnings."
            : "**Sanity-check warnings:**\n\n" + string.Join("\n", report.Warnings.Select(w => $"- {w}")));
        return sb.ToString();
    }

    /// <summary>Several reports side by side: clean, worst case and every attack, one row per model.</summary>
    /// <param name="reports">Reports of the same sweep.</param>
    public static string RenderComparison(IReadOnlyList<RobustnessReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        if (reports.Count == 0)
        {
            return string.Empty;
        }

        var columns = reports[0].Attacks.Select(a => (a.Family, a.Epsilon, a.Steps)).ToList();
        var sb = new StringBuilder();
        sb.Append("| model | clean | ").Append(string.Join(" | ", columns.Select(c => c.Family == "FGSM" ? $"FGSM {E(c.Epsilon)}" : $"PGD-{c.Steps} {E(c.Epsilon)}")))
            .AppendLine(" | worst case |");
        sb.Append("|---|---|").Append(string.Concat(columns.Select(_ => "---|"))).AppendLine("---|");
        foreach (var r in reports)
        {
            var cells = columns.Select(c => r.AccuracyUnder(c.Family, c.Epsilon, c.Steps) is { } acc ? P(acc) : "–");
            sb.AppendLine($"| {r.Model} | {P(r.CleanAccuracy)} | {string.Join(" | ", cells)} | {P(r.RobustAccuracy)} |");
        }

        return sb.ToString();
    }

    /// <summary>Writes <see cref="Render"/> to a file atomically.</summary>
    /// <param name="report">The report.</param>
    /// <param name="path">Destination.</param>
    public static void Write(RobustnessReport report, string path) => AtomicFile.WriteAllText(path, Render(report));
}
