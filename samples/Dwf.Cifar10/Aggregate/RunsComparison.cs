using System.Globalization;
using System.Text;
using Dwf.Robustness.Evaluation;

namespace Dwf.Cifar10.Aggregate;

/// <summary>One model of one run folder against one model of the baseline run folder, on the same images.</summary>
/// <param name="Run">The run folder's name.</param>
/// <param name="Model">The run's model.</param>
/// <param name="Baseline">The baseline's model.</param>
/// <param name="Clean">The run model's clean accuracy.</param>
/// <param name="WithRapid">Whether both sides' robust outcomes include aa-rapid on the paper plan's survivors.</param>
/// <param name="Comparison">Robust accuracy, run model − baseline model: difference, interval, exact McNemar p.</param>
/// <param name="HolmP">Holm-adjusted over every run compared with the same baseline model.</param>
public sealed record RunPair(string Run, string Model, string Baseline, double Clean, bool WithRapid, PairedComparison Comparison, double HolmP);

/// <summary>
/// <c>compare-runs</c>: a model of each run folder against models of a baseline run folder, on the same test images,
/// with the library's paired test (exact McNemar, Agresti–Min interval) and Holm's adjustment per baseline model (the
/// runs compared with one baseline model are one family). Images only: for training variance use replicates and
/// <c>aggregate</c>.
/// </summary>
public static class RunsComparison
{
    /// <summary>Every pair, Holm-adjusted per baseline model.</summary>
    public static IReadOnlyList<RunPair> Compare(string baseline, IReadOnlyList<string> baselineModels, IReadOnlyList<string> runs, string model, double epsilon)
    {
        if (runs.Count == 0 || baselineModels.Count == 0)
        {
            throw new ArgumentException("Pass at least one --run folder and one --baseline-model.");
        }

        var baseRun = new RunFolder(RequireFolder(baseline));
        var pairs = new List<RunPair>();
        foreach (string b in baselineModels)
        {
            var column = new List<(string Run, double Clean, bool Rapid, PairedComparison Comparison)>();
            foreach (string r in runs)
            {
                var run = new RunFolder(RequireFolder(r));
                bool rapid = RunOutcomes.Has(run, model, withRapid: true) && RunOutcomes.Has(baseRun, b, withRapid: true);
                var x = RunOutcomes.Read(run, model, epsilon, rapid);
                var y = RunOutcomes.Read(baseRun, b, epsilon, rapid);
                if (x.DataSha256 != y.DataSha256)
                {
                    throw new InvalidDataException(
                        $"'{model}' of {run.Root} and '{b}' of {baseRun.Root} were evaluated on different images (data SHA-256 {x.DataSha256} and {y.DataSha256}); a paired comparison needs the same images.");
                }

                string measure = FormattableString.Invariant($"robust at ε={epsilon:0.####}{(rapid ? ", paper plan + aa-rapid" : ", paper plan")}");
                var comparison = ReportComparison.Paired(model, b, measure, x.Outcomes.Robust, y.Outcomes.Robust);
                column.Add((Path.GetFileName(run.Root), (double)x.Outcomes.Clean.Count(c => c) / x.Outcomes.Clean.Length, rapid, comparison));
            }

            var holm = MultipleComparisons.Holm(column.Select(c => c.Comparison.PValue).ToList());
            pairs.AddRange(column.Select((c, i) => new RunPair(c.Run, model, b, c.Clean, c.Rapid, c.Comparison, holm[i])));
        }

        return pairs;
    }

    /// <summary>The Markdown table: one row per run and baseline model.</summary>
    public static string Render(IReadOnlyList<RunPair> pairs, string baseline, double epsilon, string command)
    {
        var sb = new StringBuilder();
        string name = Path.GetFileName(Path.GetFullPath(baseline).TrimEnd(Path.DirectorySeparatorChar));
        string budget = string.Create(CultureInfo.InvariantCulture, $"{Math.Round(epsilon * 255):0}/255");
        sb.AppendLine($"Written by `{command}`. Baseline: `{name}`. " +
            $"Robust accuracy at ε = {budget}: correct when clean and under every attack at that budget (the paper plan, and aa-rapid on its survivors where both sides have it). " +
            "Differences in points with Agresti–Min 95% intervals; p: exact McNemar; Holm: adjusted over the runs compared with the same baseline model. " +
            "Test images only: training variance is not in these intervals (use replicates and `aggregate` for that).").AppendLine();
        sb.AppendLine("| run | model | clean | robust | baseline model | baseline robust | difference (95% CI) | discordant | McNemar p | Holm p | plans |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var p in pairs)
        {
            var c = p.Comparison;
            string difference = string.Create(CultureInfo.InvariantCulture,
                $"{100 * c.Difference:+0.0;−0.0} ({100 * c.DifferenceInterval.Lower:+0.0;−0.0} to {100 * c.DifferenceInterval.Upper:+0.0;−0.0})");
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {p.Run} | {p.Model} | {100 * p.Clean:0.0} % | {100 * c.AccuracyA:0.0} % | {p.Baseline} | {100 * c.AccuracyB:0.0} % | {difference} | {c.OnlyA} / {c.OnlyB} | {P(c.PValue)} | {P(p.HolmP)} | {(p.WithRapid ? "paper + aa-rapid" : "paper")} |"));
        }

        return sb.ToString();
    }

    private static string P(double p) => p >= 0.0001 ? p.ToString("0.0000", CultureInfo.InvariantCulture) : "< 0.0001";

    private static string RequireFolder(string folder) =>
        Directory.Exists(folder) ? folder : throw new DirectoryNotFoundException($"No run folder at '{Path.GetFullPath(folder)}'. Pass a folder holding reports/ (and reports-aa-rapid/).");
}
