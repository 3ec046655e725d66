using System.Globalization;
using System.Text;
using Dwf.Robustness.Attacks;
using Dwf.Robustness.Evaluation;

namespace Dwf.Cifar10;

/// <summary>
/// The run's final table: DWF (joint) vs each single expert vs the frozen-expert mixture, on clean, FGSM ε=0.09,
/// FGSM 8/255 and PGD-20 8/255 accuracy (plus the stronger PGD-50 and the worst case), with the paper's reported
/// numbers in separate, clearly labelled columns. Ours and the paper's are never mixed in one column.
/// </summary>
public static class ResultsTable
{
    private sealed record Row(string Metric, Func<RobustnessReport, double?> Value);

    private static IReadOnlyList<Row> Rows(PlanKind plan, double epsilon) => plan switch
    {
        PlanKind.Paper =>
        [
            new("clean", r => r.CleanAccuracy),
            new("FGSM ε=0.09", r => r.AccuracyUnder(AttackFamily.Fgsm, 0.09)),
            new("FGSM ε=8/255", r => r.AccuracyUnder(AttackFamily.Fgsm, 8.0 / 255)),
            new("PGD-20 ε=8/255", r => r.AccuracyUnder(AttackFamily.Pgd, 8.0 / 255, 20)),
            new("PGD-50 ε=8/255 (stronger check)", r => r.AccuracyUnder(AttackFamily.Pgd, 8.0 / 255, 50)),
            new("worst case at ε=8/255 (FGSM and every PGD)", r => r.RobustAccuracyAt(8.0 / 255)),
        ],
        _ =>
        [
            new("clean", r => r.CleanAccuracy),
            new("after APGD-CE", r => r.Attacks.FirstOrDefault(a => a.Descriptor.Family == AttackFamily.Apgd && !a.Descriptor.Targeted)?.Accuracy),
            new("after APGD-T (cumulative)", r => r.Attacks.FirstOrDefault(a => a.Descriptor.Family == AttackFamily.Apgd && a.Descriptor.Targeted)?.Accuracy),
            new("after Square (cumulative)", r => r.Attacks.FirstOrDefault(a => a.Descriptor.Family == AttackFamily.Square)?.Accuracy),
            new(FormattableString.Invariant($"robust accuracy at ε={epsilon:0.####}"), r => r.RobustAccuracyAt(epsilon)),
        ],
    };

    // arXiv 2512.20821, CIFAR-10, as reported by the paper (full data, full-width experts, 150 + 100 epochs).
    private static readonly Dictionary<string, (double? Dwf, double? SoE, double? AdvMoE)> Paper = new()
    {
        ["clean"] = (91.08, null, null),
        ["FGSM ε=0.09"] = (65.48, 58.61, 61.44),
        ["PGD-20 ε=8/255"] = (56.33, 51.51, 55.13),
    };

    private static string P(double? v) => v is { } x && !double.IsNaN(x) ? (100 * x).ToString("0.00", CultureInfo.InvariantCulture) : "–";

    private static string Q(double? v) => v is { } x ? x.ToString("0.00", CultureInfo.InvariantCulture) : "–";

    public static string Render(RunConfig config, PlanKind plan, IReadOnlyList<RobustnessReport> reports, string machine, TimeSpan? wallTime,
        IReadOnlyDictionary<string, Dictionary<string, double>>? drift = null)
    {
        var ordered = reports.OrderBy(r => r.Model == Pipeline.DwfModel ? 0 : r.Model == Pipeline.FrozenModel ? 1 : 2).ThenBy(r => r.Model, StringComparer.Ordinal).ToList();
        var sb = new StringBuilder();
        sb.AppendLine($"# DWF on CIFAR-10 — preset `{config.Preset}`, plan `{EvaluationPlanNames.Name(plan)}`").AppendLine();
        sb.AppendLine($"Accuracies in %, measured by this run on {ordered.FirstOrDefault()?.Samples ?? 0} images of the CIFAR-10 test set " +
                      "(JPEG-derived copy). Columns marked *paper* are the numbers arXiv 2512.20821 reports for its full-scale set-up; they were not measured here.").AppendLine();
        sb.Append("| metric | ").Append(string.Join(" | ", ordered.Select(r => Label(r.Model)))).AppendLine(" | *paper: DWF* | *paper: SoE* | *paper: ADVMoE* |");
        sb.Append("|---|").Append(string.Concat(ordered.Select(_ => "---|"))).AppendLine("---|---|---|");
        foreach (var (metric, value) in Rows(plan, config.PgdEpsilon).Where(row => ordered.Any(r => row.Value(r) is not null)))
        {
            Paper.TryGetValue(metric, out var paper);
            sb.Append($"| {metric} | ").Append(string.Join(" | ", ordered.Select(r => P(value(r)))))
                .AppendLine($" | *{Q(paper.Dwf)}* | *{Q(paper.SoE)}* | *{Q(paper.AdvMoE)}* |");
        }

        sb.AppendLine().AppendLine(Verdict(ordered, plan, config.PgdEpsilon)).AppendLine();
        if (drift is { Count: > 0 })
        {
            var mixtures = drift.Keys.OrderBy(k => k == Pipeline.DwfModel ? 0 : 1).ToList();
            sb.AppendLine("How far the joint phase moved each expert (relative L2 change of its weights, ‖θ − θ₀‖/‖θ₀‖, against its pre-trained file):").AppendLine();
            sb.Append("| expert | ").Append(string.Join(" | ", mixtures.Select(Label))).AppendLine(" |");
            sb.Append("|---|").Append(string.Concat(mixtures.Select(_ => "---|"))).AppendLine();
            foreach (var expert in drift[mixtures[0]].Keys)
            {
                sb.Append($"| {expert} | ").Append(string.Join(" | ", mixtures.Select(m => drift[m].TryGetValue(expert, out var v) ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "–"))).AppendLine(" |");
            }

            sb.AppendLine();
        }

        var warned = ordered.Where(r => r.Warnings.Count > 0).ToList();
        sb.AppendLine(warned.Count == 0
            ? "Sanity checks (gradient masking, attack strength): no warnings for any model."
            : "Sanity-check warnings:\n\n" + string.Join("\n", warned.SelectMany(r => r.Warnings.Select(w => $"- {r.Model}: {w}"))));
        sb.AppendLine().AppendLine("Deviations from the paper's set-up:").AppendLine();
        var deviations = Presets.DeviationsFromPaper(config);
        sb.AppendLine(deviations.Count == 0 ? "- none" : string.Join("\n", deviations.Select(d => $"- {d}")));
        sb.AppendLine().AppendLine($"Machine: {machine}.{(wallTime is { } t ? $" Wall time of this invocation: {t.TotalMinutes:F1} min." : "")}");
        return sb.ToString();
    }

    private static string Label(string model) => model switch
    {
        Pipeline.DwfModel => "**DWF (joint)**",
        Pipeline.FrozenModel => "frozen-expert MoE",
        _ => model,
    };

    /// <summary>
    /// DWF against every other model on the headline measure (PGD-20 at 8/255 for the paper plan, the robust accuracy
    /// at ε for the AutoAttack plans), each with the paired test: difference, 95% interval, exact McNemar p-value.
    /// </summary>
    private static string Verdict(IReadOnlyList<RobustnessReport> reports, PlanKind plan, double epsilon)
    {
        var dwf = reports.FirstOrDefault(r => r.Model == Pipeline.DwfModel);
        if (dwf is null)
        {
            return "No DWF mixture in this run yet.";
        }

        var pgd20 = new AttackDescriptor(AttackFamily.Pgd, ThreatModel.Linf, 8.0 / 255, 20, 1, AttackLoss.CrossEntropy, false);
        Func<RobustnessReport, RobustnessReport, PairedComparison> compare = plan == PlanKind.Paper
            ? (a, b) => ReportComparison.Attack(a, b, pgd20)
            : (a, b) => ReportComparison.WorstCase(a, b, epsilon);
        double? headline = plan == PlanKind.Paper ? dwf.AccuracyUnder(AttackFamily.Pgd, 8.0 / 255, 20) : dwf.RobustAccuracyAt(epsilon);
        if (headline is null)
        {
            return "The headline measure (PGD-20 at ε=8/255, or the robust accuracy at ε) was not part of this run's evaluation, so the effect looked for cannot be judged.";
        }

        string measure = plan == PlanKind.Paper ? "PGD-20 accuracy at ε=8/255" : FormattableString.Invariant($"robust accuracy at ε={epsilon:0.####}");
        var lines = new List<string>();
        bool all = true;
        foreach (var other in reports.Where(r => r != dwf))
        {
            PairedComparison c;
            try
            {
                c = compare(dwf, other);
            }
            catch (ArgumentException e)
            {
                lines.Add($"- vs {other.Model}: no paired test ({e.Message})");
                all = false;
                continue;
            }

            bool shown = c.Difference > 0 && c.IsSignificant();
            all &= shown;
            lines.Add(FormattableString.Invariant(
                $"- vs {other.Model}: {100 * c.Difference:+0.00;-0.00} points (95% CI {100 * c.DifferenceInterval.Lower:+0.00;-0.00} to {100 * c.DifferenceInterval.Upper:+0.00;-0.00}), ") +
                FormattableString.Invariant($"{c.OnlyA} images only DWF gets right, {c.OnlyB} only {other.Model}; McNemar p = {c.PValue:0.0000} — {(shown ? "**DWF better**" : "not shown")}"));
        }

        string head = all && lines.Count > 0
            ? $"Effect looked for: DWF's {measure} ({P(headline)}) is significantly above every other model's (paired exact McNemar, α = 0.05) — **shown** in this run."
            : $"Effect looked for: DWF's {measure} ({P(headline)}) above every single expert's and the frozen-expert mixture's, significantly (paired exact McNemar, α = 0.05, no correction for {lines.Count} comparisons) — **not shown** in this run.";
        return head + $" On {dwf.Samples} images:\n\n" + string.Join("\n", lines);
    }
}
