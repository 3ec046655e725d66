using System.Globalization;
using System.Text;
using Dwf.Robustness.Evaluation;

namespace Dwf.Cifar10.Aggregate;

/// <summary>
/// aggregate.md: per study (budget) every role's mean accuracy over replicates with its 95% interval, and the
/// pre-registered claims decided over replicates and images (<see cref="ReplicatedComparison"/>), Holm-adjusted
/// together; per replicate McNemar detail; the overfitting check of the long-trained controls.
/// </summary>
public static class AggregateTable
{
    /// <summary>The study's budget as a label: expert + joint epochs.</summary>
    public static string Budget(Study s) => string.Create(CultureInfo.InvariantCulture, $"{s.Config.ExpertEpochs} + {s.Config.Joint.Epochs} epochs");

    public static string Render(IReadOnlyList<Study> studies, IReadOnlyList<StudyClaim> claims, double epsilon, string command)
    {
        var sb = new StringBuilder();
        string budget = FormattableString.Invariant($"{Math.Round(epsilon * 255):0}/255");
        sb.AppendLine("# Replicated results").AppendLine();
        sb.AppendLine($"Written by `{command}`. Measure: robust accuracy at ε = {budget}, per image correct when clean and under every attack at that budget " +
                      "(the paper plan and, where the run asked for it, aa-rapid on its survivors; never across budgets). " +
                      "Means over training replicates and test images; 95% intervals and p-values count both the variation between training runs " +
                      "and between test images (two-way crossed random effects, Satterthwaite t: `ReplicatedComparison`, docs/evaluation.md). " +
                      "Claims are Holm-adjusted together (family-wise α = 0.05). Accuracies and differences in %.").AppendLine();
        foreach (var study in studies)
        {
            sb.AppendLine($"## {Budget(study)} — `{Path.GetFileName(study.Folder)}`").AppendLine();
            var images = study.Replicates.FirstOrDefault()?.Dataset ?? "–";
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{study.Replicates.Count} finished replicate(s) (seeds {string.Join(", ", study.Replicates.Select(r => r.Seed))}); test images: {images}."));
            foreach (var u in study.Unfinished)
            {
                sb.AppendLine($"Not counted, unfinished: {u}.");
            }

            foreach (var machine in study.Replicates.GroupBy(r => r.Machine))
            {
                sb.AppendLine($"Replicate(s) {string.Join(", ", machine.Select(r => r.Index))} ran on: {machine.Key}.");
            }

            sb.AppendLine().AppendLine(Accuracies(study)).AppendLine(Curves(study)).AppendLine();
        }

        sb.AppendLine("## Claims").AppendLine();
        if (claims.Count == 0)
        {
            sb.AppendLine("No claim can be decided: a study needs at least two finished replicates with every model.");
            return sb.Append(Exploratory(studies)).ToString();
        }

        sb.AppendLine("| budget | DWF − rival | difference (95% CI) | df | p | Holm p | training share of the variance | verdict | per replicate: difference, McNemar p |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var c in claims)
        {
            var e = c.Effect;
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Budget(c.Study)} | {StudyRoles.Label(c.Rival)} | {100 * e.Estimate:+0.0;-0.0} ({100 * e.Interval.Lower:+0.0;-0.0} to {100 * e.Interval.Upper:+0.0;-0.0}) | {e.DegreesOfFreedom:0.0} | {e.PValue:0.0000} | {c.HolmP:0.0000} | {100 * e.TrainingShare:0}% | {c.Verdict} | ") +
                string.Join("; ", c.PerReplicate.Select(p => string.Create(CultureInfo.InvariantCulture, $"{100 * p.Difference:+0.0;-0.0}, p = {p.PValue:0.000}"))) + " |");
        }

        return sb.Append(Exploratory(studies)).ToString();
    }

    private static string Accuracies(Study study)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| model | clean (95% CI) | robust (95% CI) | robust per replicate |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var role in StudyRoles.All.Where(role => study.Replicates.Count > 0 && study.Replicates.All(r => r.Roles.ContainsKey(role))))
        {
            sb.AppendLine(Row(study, StudyRoles.Label(role), r => r.Roles[role], showModel: role == StudyRole.BestExpert));
        }

        foreach (string model in SharedOthers(study))
        {
            sb.AppendLine(Row(study, model, r => r.Others[model], showModel: false));
        }

        return sb.ToString();
    }

    /// <summary>One accuracy row: clean and robust means with intervals, robust per replicate (with the model's name there when <paramref name="showModel"/>, as the best expert differs per replicate).</summary>
    private static string Row(Study study, string label, Func<ReplicateRun, ModelOutcomes> model, bool showModel)
    {
        string perReplicate = string.Join(", ", study.Replicates.Select(r => string.Create(CultureInfo.InvariantCulture,
            $"{100.0 * model(r).Robust.Count(b => b) / model(r).Robust.Length:0.0}{(showModel ? $" ({model(r).Model})" : "")}")));
        return $"| {label} | {Cell(study.Outcomes(model, clean: true))} | {Cell(study.Outcomes(model))} | {perReplicate} |";
    }

    /// <summary>Models without a role that every replicate of <paramref name="study"/> evaluated (the rivals of <c>compare</c>, experts), by name.</summary>
    public static IReadOnlyList<string> SharedOthers(Study study) => study.Replicates.Count == 0 ? []
        : study.Replicates[0].Others.Keys.Where(m => study.Replicates.All(r => r.Others.ContainsKey(m))).Order(StringComparer.Ordinal).ToList();

    /// <summary>DWF against every model without a role, Holm-adjusted among themselves: exploratory, outside the pre-registered family.</summary>
    private static string Exploratory(IReadOnlyList<Study> studies)
    {
        var rows = studies.Where(s => s.Replicates.Count >= 2).SelectMany(s => SharedOthers(s).Select(m => (Study: s, Model: m,
            Effect: ReplicatedComparison.Difference(s.Outcomes(r => r.Roles[StudyRole.Dwf]), s.Outcomes(r => r.Others[m]))))).ToList();
        if (rows.Count == 0)
        {
            return "";
        }

        var holm = MultipleComparisons.Holm(rows.Select(r => r.Effect.PValue).ToList());
        var sb = new StringBuilder();
        sb.AppendLine().AppendLine("Not pre-registered (exploratory; Holm-adjusted among these rows only): DWF − every other model all replicates evaluated.").AppendLine();
        sb.AppendLine("| budget | DWF − model | difference (95% CI) | p | Holm p |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var (r, i) in rows.Select((r, i) => (r, i)))
        {
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Budget(r.Study)} | {r.Model} | {100 * r.Effect.Estimate:+0.0;-0.0} ({100 * r.Effect.Interval.Lower:+0.0;-0.0} to {100 * r.Effect.Interval.Upper:+0.0;-0.0}) | {r.Effect.PValue:0.0000} | {holm[i]:0.0000} |"));
        }

        return sb.ToString();
    }

    private static string Cell(IReadOnlyList<IReadOnlyList<bool>> rows)
    {
        if (rows.Count < 2)
        {
            double only = 100.0 * rows[0].Count(b => b) / rows[0].Count;
            return string.Create(CultureInfo.InvariantCulture, $"{only:0.0} (one replicate: no interval)");
        }

        var e = ReplicatedComparison.Accuracy(rows);
        return string.Create(CultureInfo.InvariantCulture, $"{100 * e.Estimate:0.0} ({100 * e.Interval.Lower:0.0}–{100 * e.Interval.Upper:0.0})");
    }

    private static string Curves(Study study)
    {
        var lines = new List<string>();
        foreach (var r in study.Replicates)
        {
            foreach (var (role, curve) in r.Curves)
            {
                if (curve.Count == 0)
                {
                    continue;
                }

                double drop = ValidationCurve.DropFromBest(curve);
                var best = curve.MaxBy(p => p.Robust)!;
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"- replicate {r.Index}, {StudyRoles.Label(role)}: validation robust accuracy {string.Join(", ", curve.Select(p => $"{100 * p.Robust:0.0} (epoch {p.Epoch})"))}; " +
                    $"last {100 * drop:0.0} points below the best (epoch {best.Epoch}) — {(drop > StudyClaims.OverfitDrop ? "**overfit** by the pre-registered rule" : "not overfit")}"));
            }
        }

        return lines.Count == 0
            ? "No validation curve was recorded (ControlValidationPoints = 0)."
            : "Overfitting check (validation split, PGD-10, during training):\n\n" + string.Join("\n", lines);
    }
}
