using System.Globalization;
using System.Text;
using Dwf.Robustness.Attacks;
using Dwf.Robustness.Evaluation;

namespace Dwf.Cifar10.Compare;

/// <summary>
/// compare.md: every defense on the same test images under one evaluation (the paper plan, then the AutoAttack-style
/// rapid plan on its survivors), each number with its 95% Wilson interval; the headline is the per-image worst case at ε = 8/255 over
/// both plans' attacks (the same budget, never across budgets), tested against DWF with exact McNemar tests,
/// Holm-adjusted; training and inference cost.
/// </summary>
public static class CompareTable
{
    /// <summary>One defense's two reports.</summary>
    public sealed record Entry(IDefenseRecipe Defense, RobustnessReport Paper, RobustnessReport Rapid);

    public static string Render(RunConfig config, IReadOnlyList<Entry> entries, IReadOnlyDictionary<string, TrainingCost> costs, string machine, TimeSpan wallTime)
    {
        double e = config.PgdEpsilon;
        double fgsmPaper = Dwf.Robustness.Defaults.PaperDefaults.HeadlineFgsmEpsilon;
        var sb = new StringBuilder();
        sb.AppendLine($"# Defenses compared — preset `{config.Preset}`").AppendLine();
        sb.AppendLine(FormattableString.Invariant($"Accuracies in % (95% Wilson interval), measured by this run on the same {entries[0].Paper.Samples} images of {entries[0].Paper.Dataset}. ") +
                      "Every defense was trained on the same training images here and attacked as a whole (mixtures through their routing, with the adaptive checks). " +
                      "*Paper plan* is its worst case at 8/255 (FGSM, PGD with every configured loss and step count, and for routed models the adaptive attacks). " +
                      "aa-rapid (APGD-CE → APGD-T, 3 targets) then attacked only the images that survived it, as AutoAttack's cascade does, so " +
                      "*worst case* is per image: correct when clean and under every attack of both plans at ε = 8/255; the step between the two columns is what aa-rapid found that the paper plan missed.").AppendLine();
        var left = DefenseRecipes.All.Where(d => entries.All(x => x.Defense.Key != d.Key)).Select(d => d.Label).ToList();
        if (left.Count > 0)
        {
            sb.AppendLine($"Left out of this run (`CompareDefenses`): {string.Join(", ", left)}.").AppendLine();
        }

        sb.AppendLine("| defense | clean | FGSM ε=0.09 | FGSM ε=8/255 | PGD-20 CE ε=8/255 | paper plan ε=8/255 | **worst case ε=8/255** | worst − DWF (95% CI) | McNemar p (Holm) |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|");
        var dwf = entries[0];
        var dwfWorst = Worst(dwf, e);
        var tests = entries.Skip(1).Select(x => dwfWorst is null || Worst(x, e) is not { } w ? null
            : ReportComparison.Paired(x.Defense.Name, dwf.Defense.Name, "worst case at 8/255", w, dwfWorst)).ToList();
        var holm = MultipleComparisons.Holm(tests.Where(t => t is not null).Select(t => t!.PValue).ToList());
        int k = 0;
        foreach (var (x, i) in entries.Select((x, i) => (x, i)))
        {
            var worst = Worst(x, e);
            string delta = "", p = "";
            if (i > 0 && tests[i - 1] is { } t)
            {
                delta = FormattableString.Invariant($"{100 * t.Difference:+0.0;-0.0} ({100 * t.DifferenceInterval.Lower:+0.0;-0.0} to {100 * t.DifferenceInterval.Upper:+0.0;-0.0})");
                p = FormattableString.Invariant($"{t.PValue:0.0000} ({holm[k++]:0.0000})");
            }

            sb.AppendLine($"| {x.Defense.Label} | {Cell(x.Paper.CleanAccuracy, x.Paper.CleanInterval)} | {Attack(x.Paper, AttackFamily.Fgsm, fgsmPaper)} | {Attack(x.Paper, AttackFamily.Fgsm, e)} | " +
                          $"{Attack(x.Paper, AttackFamily.Pgd, e, 20, AttackLoss.CrossEntropy)} | {(x.Paper.WorstCaseAt(e) is { } r ? Cell(r.Accuracy, r.Interval) : "–")} | " +
                          $"**{(worst is null ? "–" : Cell((double)worst.Count(c => c) / worst.Length, ConfidenceInterval.Wilson(worst.Count(c => c), worst.Length)))}** | {delta} | {p} |");
        }

        sb.AppendLine().AppendLine("Cost. Training passes are per-image forward+backward passes of the defense's networks (an attack step or a training step through each network is one; " +
                                   "networks differ in size, so the wall time is the fairer measure). DWF and the frozen mixture include their experts' pre-training. " +
                                   "PGD-AT, TRADES, SoE and ADVMoE were given the DWF pipeline's passes unless their epochs were set.").AppendLine();
        sb.AppendLine("| defense | training passes (millions) | training time (min) | forward passes per prediction | parameters |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var x in entries)
        {
            costs.TryGetValue(x.Defense.Name, out var c);
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {x.Defense.Label} | {(c is null ? "–" : (c.Passes / 1e6).ToString("0.00", CultureInfo.InvariantCulture))} | {(c is null ? "–" : (c.Seconds / 60).ToString("0.0", CultureInfo.InvariantCulture))} | {x.Paper.ModelInfo?.ForwardPassesPerPrediction} | {x.Paper.ModelInfo?.Parameters:N0} |"));
        }

        var warned = entries.SelectMany(x => new[] { x.Paper, x.Rapid }).Where(r => r.Warnings.Count > 0).ToList();
        sb.AppendLine().AppendLine(warned.Count == 0
            ? "Sanity checks (gradient masking, attack strength, routing gradients): no warnings for any defense."
            : "Sanity-check warnings:\n\n" + string.Join("\n", warned.SelectMany(r => r.Warnings.Select(w => $"- {r.Model} ({r.Plan.Name}): {w}"))));
        sb.AppendLine().AppendLine($"Machine: {machine}. Wall time of this invocation: {wallTime.TotalMinutes:F1} min.");
        return sb.ToString();
    }

    /// <summary>Per image: correct when clean and under every attack of both reports at <paramref name="epsilon"/>; null when either lacks that budget.</summary>
    public static bool[]? Worst(Entry x, double epsilon)
    {
        if (x.Paper.WorstCaseAt(epsilon) is not { } a || x.Rapid.WorstCaseAt(epsilon) is not { } b || x.Paper.DataSha256 != x.Rapid.DataSha256)
        {
            return null;
        }

        var (pa, pb) = (a.Outcomes.ToArray(), b.Outcomes.ToArray());
        return pa.Zip(pb, (u, v) => u && v).ToArray();
    }

    private static string Attack(RobustnessReport r, AttackFamily family, double epsilon, int? steps = null, AttackLoss? loss = null) =>
        r.Find(family, epsilon, steps, loss) is { } a ? Cell(a.Accuracy, a.Interval) : "–";

    private static string Cell(double accuracy, ConfidenceInterval ci) =>
        FormattableString.Invariant($"{100 * accuracy:0.0} ({100 * ci.Lower:0.0}–{100 * ci.Upper:0.0})");
}
