using System.CommandLine;
using System.Globalization;
using Dwf.Robustness.Attacks;
using Dwf.Robustness.Defaults;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Infrastructure;
using Dwf.Robustness.Plotting;

namespace Dwf.Cifar10.Commands;

/// <summary><c>evaluate</c>: every trained model under the plan; reports, results.md, the plot and a summary on the console.</summary>
public static class EvaluateCommand
{
    public static Command Create(SharedOptions o)
    {
        var shard = new Option<string?>("--shard")
        {
            Description = "Evaluate only shard i/n (0-based) of the test images, e.g. 2/8: whole blocks of Eval.BatchesPerBlock batches, each shard its own resumable " +
                          "evaluation writing to reports*/shards/; after every shard, --merge-shards n gives the reports of one unsharded evaluation (docs/scale-out.md)",
        };
        var merge = new Option<int?>("--merge-shards") { Description = "Merge the n shard reports of every model into its report, then write results as usual" };
        var threat = new Option<ThreatModel>("--threat-model")
        {
            Description = "Linf (default) or L2 (with --plan aa-rapid or aa-standard; budget Eval.L2Epsilon, default 0.5; reports in reports-<plan>-l2/)",
            DefaultValueFactory = _ => ThreatModel.Linf,
        };
        var command = new Command("evaluate", "Evaluate every trained model; write reports, results.md and accuracy.png.") { shard, merge, threat };
        command.SetAction((p, ct) => RunContext.Execute(p, o, ct, c => Run(c, p.GetValue(shard) is { } s ? EvaluationShard.Parse(s) : null, p.GetValue(merge), p.GetValue(threat))));
        return command;
    }

    public static void Run(RunContext c) => Run(c, null, null, ThreatModel.Linf);

    public static void Run(RunContext c, EvaluationShard? shard, int? mergeShards, ThreatModel threat)
    {
        if (shard is not null && mergeShards is not null)
        {
            throw new ArgumentException($"--shard {shard} and --merge-shards {mergeShards}: evaluate one shard, or merge them all after every shard is done, not both.");
        }

        if (mergeShards is < 1)
        {
            throw new ArgumentException($"--merge-shards must be ≥ 1; got {mergeShards}.");
        }

        if (threat != ThreatModel.Linf && c.Plan == PlanKind.Paper)
        {
            throw new ArgumentException($"--threat-model {threat} needs --plan aa-rapid or aa-standard: the paper plan is L∞ (FGSM and PGD as the paper ran them).");
        }

        c.Pipeline.Threat = threat;
        c.Pipeline.Shard = shard;
        bool rapidAfter = c.Plan == PlanKind.Paper && c.Config.Eval.RapidOnSurvivors;
        if (mergeShards is { } n)
        {
            foreach (var plan in rapidAfter ? [c.Plan, PlanKind.AutoAttackRapid] : new[] { c.Plan })
            {
                ShardMerge.MergeAll(c.Folder, plan, threat, n);
            }
        }

        var reports = c.Pipeline.Evaluate(c.Plan);
        double epsilon = threat == ThreatModel.L2 ? c.Config.Eval.L2Epsilon : PaperDefaults.PgdEpsilon;
        if (shard is not null || threat != ThreatModel.Linf)
        {
            var all = rapidAfter ? reports.Concat(c.Pipeline.EvaluateOnSurvivors(reports)).ToList() : reports;
            PrintSummary(all, epsilon, threat);
            Console.WriteLine(shard is not null
                ? $"shard {shard} done: its reports are in reports*/shards/. When every shard is done: evaluate --merge-shards {shard.Count} (same --plan, --threat-model and --set)."
                : $"reports: {Path.GetDirectoryName(c.Folder.Report("x", "json", c.Plan, threat))} (results.md and the plot cover L∞ only)");
            return;
        }

        var folder = c.Folder;
        var drift = new[] { Pipeline.DwfModel, Pipeline.FrozenModel }.Where(m => File.Exists(folder.MixtureDrift(m)))
            .ToDictionary(m => m, m => System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(folder.MixtureDrift(m)))!);
        var selection = File.Exists(folder.Selection) ? ExpertSelection.FromJson(File.ReadAllText(folder.Selection)) : null;
        AtomicFile.WriteAllText(folder.ResultsFor(c.Plan), ResultsTable.Render(c.Config, c.Plan, reports, RunContext.Machine(), c.Clock.Elapsed, drift, selection, CostFile.Collect(c.Config, folder), c.Pipeline.Source));
        var plotted = reports.Where(r => r.Model is Pipeline.DwfModel or Pipeline.FrozenModel or Pipeline.FineTunedControl or Pipeline.EqualComputeControl or "clean-1" or "fgsm-1").ToList();
        if (plotted.Count > 0 && c.Plan == PlanKind.Paper)
        {
            ReportPlot.SavePng(plotted, folder.Plot, title: $"{c.Pipeline.Source.Name}, preset {c.Config.Preset}: accuracy under FGSM (solid, circles) and PGD (dashed, triangles)");
        }

        PrintSummary(reports, epsilon, threat);
        Console.WriteLine($"results: {folder.ResultsFor(c.Plan)}");
        if (c.Plan == PlanKind.Paper && c.Config.Eval.RapidOnSurvivors)
        {
            var rapid = c.Pipeline.EvaluateOnSurvivors(reports);
            AtomicFile.WriteAllText(folder.ResultsFor(PlanKind.AutoAttackRapid),
                ResultsTable.Render(c.Config, PlanKind.AutoAttackRapid, rapid, RunContext.Machine(), c.Clock.Elapsed, drift, selection, CostFile.Collect(c.Config, folder), c.Pipeline.Source));
            Console.WriteLine($"aa-rapid on the paper plan's survivors: {folder.ResultsFor(PlanKind.AutoAttackRapid)}");
        }
    }

    private static void PrintSummary(IReadOnlyList<RobustnessReport> reports, double epsilon, ThreatModel threat)
    {
        string budget = threat == ThreatModel.Linf
            ? (epsilon * 255).ToString("0.##", CultureInfo.InvariantCulture) + "/255"
            : epsilon.ToString("0.###", CultureInfo.InvariantCulture) + " (L2)";
        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant($"{"model",-24} {"clean",8} {"robust at ε=" + budget + " (95% CI)",28}"));
        foreach (var r in reports)
        {
            string robust = r.WorstCaseAt(epsilon) is { } w
                ? FormattableString.Invariant($"{100 * w.Accuracy:0.0}% ({100 * w.Interval.Lower:0.0}–{100 * w.Interval.Upper:0.0})")
                : "–";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Model,-24} {100 * r.CleanAccuracy,7:0.0}% {robust,28}"));
        }
    }
}
