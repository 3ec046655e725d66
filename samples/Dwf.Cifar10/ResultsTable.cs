using System.Globalization;
using System.Text;
using Dwf.Robustness.Attacks;
using Dwf.Robustness.Defaults;
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
            new("FGSM ε=0.09", r => r.AccuracyUnder(AttackFamily.Fgsm, PaperDefaults.HeadlineFgsmEpsilon)),
            new("FGSM ε=8/255", r => r.AccuracyUnder(AttackFamily.Fgsm, PaperDefaults.PgdEpsilon)),
            new("PGD-20 ε=8/255", r => r.AccuracyUnder(AttackFamily.Pgd, PaperDefaults.PgdEpsilon, PaperDefaults.EvaluationPgdSteps, AttackLoss.CrossEntropy)),
            new("PGD-20 CW ε=8/255 (second loss)", r => r.AccuracyUnder(AttackFamily.Pgd, PaperDefaults.PgdEpsilon, PaperDefaults.EvaluationPgdSteps, AttackLoss.CarliniWagnerMargin)),
            new("PGD-50 ε=8/255 (stronger check)", r => r.AccuracyUnder(AttackFamily.Pgd, PaperDefaults.PgdEpsilon, 50, AttackLoss.CrossEntropy)),
            new("worst case at ε=8/255 (FGSM and every PGD)", r => r.RobustAccuracyAt(PaperDefaults.PgdEpsilon)),
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

    /// <summary>ε as k/255 when it is a whole number of pixel levels (8/255), else as a decimal (0.09).</summary>
    private static string Budget(double e) => Math.Abs(e * 255 - Math.Round(e * 255)) < 1e-9
        ? FormattableString.Invariant($"{Math.Round(e * 255):0}/255")
        : e.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Q(double? v) => v is { } x ? x.ToString("0.00", CultureInfo.InvariantCulture) : "–";

    /// <param name="source">The run's data; null: CIFAR-10. The paper's columns are shown only for data they are a reference for.</param>
    public static string Render(RunConfig config, PlanKind plan, IReadOnlyList<RobustnessReport> reports, string machine, TimeSpan? wallTime,
        IReadOnlyDictionary<string, Dictionary<string, double>>? drift = null, ExpertSelection? selection = null,
        IReadOnlyDictionary<string, TrainingCost>? costs = null, Data.IDataSource? source = null)
    {
        bool paperColumns = source?.ComparableToPaper ?? true;
        var ordered = reports.OrderBy(r => Order(r.Model)).ThenBy(r => r.Model, StringComparer.Ordinal).ToList();
        var sb = new StringBuilder();
        sb.AppendLine($"# DWF on {source?.Name ?? "CIFAR-10"} — preset `{config.Preset}`, plan `{EvaluationPlanNames.Name(plan)}`").AppendLine();
        sb.AppendLine($"Accuracies in %, measured by this run on {ordered.FirstOrDefault()?.Samples ?? 0} images of {ordered.FirstOrDefault()?.Dataset ?? "the test set"}." +
                      (paperColumns ? " Columns marked *paper* are the numbers arXiv 2512.20821 reports for its full-scale set-up; they were not measured here." : "")).AppendLine();
        sb.Append("| metric | ").Append(string.Join(" | ", ordered.Select(r => Label(r.Model)))).AppendLine(paperColumns ? " | *paper: DWF* | *paper: SoE* | *paper: ADVMoE* |" : " |");
        sb.Append("|---|").Append(string.Concat(ordered.Select(_ => "---|"))).AppendLine(paperColumns ? "---|---|---|" : "");
        foreach (var (metric, value) in Rows(plan, config.PgdEpsilon).Where(row => ordered.Any(r => row.Value(r) is not null)))
        {
            Paper.TryGetValue(metric, out var paper);
            sb.Append($"| {metric} | ").Append(string.Join(" | ", ordered.Select(r => P(value(r)))))
                .AppendLine(paperColumns ? $" | *{Q(paper.Dwf)}* | *{Q(paper.SoE)}* | *{Q(paper.AdvMoE)}* |" : " |");
        }

        sb.AppendLine().AppendLine(WorstCases(ordered));
        if (selection is not null)
        {
            sb.AppendLine(FormattableString.Invariant(
                $"The best single expert, chosen on {selection.Images} held-out training images (validation split, {selection.Attack}; never on the test set): **{selection.BestExpert}**; ") +
                $"the fine-tuned control starts from the best PGD expert, **{selection.BestPgdExpert ?? "–"}**. Validation robust accuracy: " +
                string.Join(", ", selection.Scores.Select(v => $"{v.Name} {P(v.Robust)}")) + ".").AppendLine();
        }

        sb.AppendLine(Verdict(ordered, plan, config.PgdEpsilon, selection)).AppendLine();
        if (costs is { Count: > 0 })
        {
            sb.AppendLine(Costs(ordered, costs));
        }

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
        Pipeline.FineTunedControl => "control (a): best PGD expert fine-tuned",
        Pipeline.EqualComputeControl => "control (b): one PGD expert, equal compute",
        Pipeline.WideControlName => "control (c): one wide PGD network, equal parameters and compute",
        _ => model,
    };

    private static int Order(string model) => model switch
    {
        Pipeline.DwfModel => 0,
        Pipeline.FrozenModel => 1,
        Pipeline.FineTunedControl => 2,
        Pipeline.EqualComputeControl => 3,
        Pipeline.WideControlName => 4,
        _ => 5,
    };

    private static string Cell(double accuracy, ConfidenceInterval ci) =>
        FormattableString.Invariant($"{100 * accuracy:0.0} ({100 * ci.Lower:0.0}–{100 * ci.Upper:0.0})");

    /// <summary>Robust accuracy per ε — the worst case over every attack at that budget, never across budgets — with its 95% Wilson interval.</summary>
    private static string WorstCases(IReadOnlyList<RobustnessReport> reports)
    {
        var budgets = reports.SelectMany(r => r.WorstCase.Select(w => w.Epsilon)).Distinct().Order().ToList();
        var sb = new StringBuilder();
        sb.AppendLine("Robust accuracy per ε in % with 95% Wilson intervals: per image, correct when clean and under every attack run at that budget (worst cases are never taken across budgets).").AppendLine();
        sb.Append("| ε | ").Append(string.Join(" | ", reports.Select(r => Label(r.Model)))).AppendLine(" |");
        sb.Append("|---|").Append(string.Concat(reports.Select(_ => "---|"))).AppendLine();
        sb.Append("| clean | ").Append(string.Join(" | ", reports.Select(r => Cell(r.CleanAccuracy, r.CleanInterval)))).AppendLine(" |");
        foreach (double e in budgets)
        {
            sb.Append(FormattableString.Invariant($"| {Budget(e)} | "))
                .Append(string.Join(" | ", reports.Select(r => r.WorstCaseAt(e) is { } w ? Cell(w.Accuracy, w.Interval) : "–"))).AppendLine(" |");
        }

        return sb.ToString();
    }

    /// <summary>Training cost (forward/backward passes, wall time) and inference cost (forward passes per prediction, parameters).</summary>
    private static string Costs(IReadOnlyList<RobustnessReport> reports, IReadOnlyDictionary<string, TrainingCost> costs)
    {
        var sb = new StringBuilder();
        sb.AppendLine("Cost. Training passes are per-image forward+backward passes through one expert-sized network (an attack step or a training step is one; a mixture step counts every expert); " +
                      "DWF and the frozen mixture include their experts' pre-training, the fine-tuned control its starting expert's. Training minutes are the epochs' wall time on this machine.").AppendLine();
        sb.AppendLine("| model | training passes (millions) | training time (min) | forward passes per prediction | parameters |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var r in reports)
        {
            costs.TryGetValue(r.Model, out var c);
            sb.AppendLine(FormattableString.Invariant(
                $"| {Label(r.Model)} | {(c is null ? "–" : (c.Passes / 1e6).ToString("0.00", CultureInfo.InvariantCulture))} | {(c is null ? "–" : (c.Seconds / 60).ToString("0.0", CultureInfo.InvariantCulture))} | ") +
                $"{r.ModelInfo?.ForwardPassesPerPrediction.ToString(CultureInfo.InvariantCulture) ?? "–"} | {r.ModelInfo?.Parameters.ToString("N0", CultureInfo.InvariantCulture) ?? "–"} |");
        }

        return sb.ToString();
    }

    /// <summary>
    /// The claims, each decided by a paired test on the same images: DWF against the frozen-expert mixture, the best
    /// single expert (chosen on the validation split) and the controls trained (two, or three with WideControl) — or, without a selection, against every other
    /// model — on the headline measure: the worst case at ε over every attack at that budget. Difference, 95% interval,
    /// exact McNemar p-value, and the Holm-adjusted p-value over the claims made (family-wise α = 0.05).
    /// </summary>
    private static string Verdict(IReadOnlyList<RobustnessReport> reports, PlanKind plan, double epsilon, ExpertSelection? selection)
    {
        var dwf = reports.FirstOrDefault(r => r.Model == Pipeline.DwfModel);
        if (dwf is null)
        {
            return "No DWF mixture in this run yet.";
        }

        double? headline = dwf.RobustAccuracyAt(epsilon);
        string measure = FormattableString.Invariant($"robust accuracy at ε={Budget(epsilon)} (worst case over {(plan == PlanKind.Paper ? "FGSM and every PGD" : dwf.Options.AttackedAfter is { } first ? $"the attacks of {first} and then this plan's on the images they left robust" : "the plan's attacks")} at that budget)");
        if (headline is null)
        {
            return $"The headline measure, {measure}, was not part of this run's evaluation, so the effect looked for cannot be judged.";
        }

        var rivals = selection is null
            ? reports.Where(r => r != dwf).ToList()
            : new[] { Pipeline.FrozenModel, selection.BestExpert, Pipeline.FineTunedControl, Pipeline.EqualComputeControl, Pipeline.WideControlName }
                .Select(name => reports.FirstOrDefault(r => r.Model == name)).OfType<RobustnessReport>().ToList();
        var tests = new List<(RobustnessReport Other, PairedComparison? Test, string? Error)>();
        foreach (var other in rivals)
        {
            try
            {
                tests.Add((other, ReportComparison.WorstCase(dwf, other, epsilon), null));
            }
            catch (ArgumentException e)
            {
                tests.Add((other, null, e.Message));
            }
        }

        var compared = tests.Where(t => t.Test is not null).ToList();
        var holm = MultipleComparisons.Holm(compared.Select(t => t.Test!.PValue).ToList());
        var lines = new List<string>();
        bool all = tests.Count > 0 && tests.All(t => t.Test is not null);
        foreach (var (other, c, error) in tests)
        {
            string role = selection is not null && other.Model == selection.BestExpert ? " (best single expert, chosen on validation)" : "";
            if (c is null)
            {
                lines.Add($"- vs {other.Model}{role}: no paired test ({error})");
                continue;
            }

            double adjusted = holm[compared.FindIndex(t => t.Other == other)];
            bool shown = c.Difference > 0 && adjusted < 0.05;
            // A significant difference the other way is a finding too: the rival is better, not "not shown".
            string verdict = shown ? "**DWF better**" : c.Difference < 0 && adjusted < 0.05 ? $"**{other.Model} better**" : "no difference shown";
            all &= shown;
            lines.Add(FormattableString.Invariant(
                $"- vs {other.Model}{role}: {100 * c.Difference:+0.00;-0.00} points (95% CI {100 * c.DifferenceInterval.Lower:+0.00;-0.00} to {100 * c.DifferenceInterval.Upper:+0.00;-0.00}), ") +
                FormattableString.Invariant($"{c.OnlyA} images only DWF gets right, {c.OnlyB} only {other.Model}; McNemar p = {c.PValue:0.0000}, Holm-adjusted p = {adjusted:0.0000} — ") + verdict);
        }

        string head = all
            ? $"Effect looked for: DWF's {measure} ({P(headline)}) significantly above each rival's (paired exact McNemar, Holm-adjusted over {tests.Count} claims, family-wise α = 0.05) — **shown** in this run."
            : $"Effect looked for: DWF's {measure} ({P(headline)}) significantly above each rival's (paired exact McNemar, Holm-adjusted over {tests.Count} claims, family-wise α = 0.05) — **not shown** in this run.";
        return head + $" On {dwf.Samples} images:\n\n" + string.Join("\n", lines);
    }
}
