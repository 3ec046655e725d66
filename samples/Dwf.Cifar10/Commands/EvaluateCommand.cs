using System.CommandLine;
using System.Globalization;
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
        var command = new Command("evaluate", "Evaluate every trained model; write reports, results.md and accuracy.png.");
        command.SetAction((p, ct) => RunContext.Execute(p, o, ct, Run));
        return command;
    }

    public static void Run(RunContext c)
    {
        var reports = c.Pipeline.Evaluate(c.Plan);
        var folder = c.Folder;
        var drift = new[] { Pipeline.DwfModel, Pipeline.FrozenModel }.Where(m => File.Exists(folder.MixtureDrift(m)))
            .ToDictionary(m => m, m => System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(folder.MixtureDrift(m)))!);
        var selection = File.Exists(folder.Selection) ? ExpertSelection.FromJson(File.ReadAllText(folder.Selection)) : null;
        AtomicFile.WriteAllText(folder.ResultsFor(c.Plan), ResultsTable.Render(c.Config, c.Plan, reports, RunContext.Machine(), c.Clock.Elapsed, drift, selection, CostFile.Collect(c.Config, folder)));
        var plotted = reports.Where(r => r.Model is Pipeline.DwfModel or Pipeline.FrozenModel or Pipeline.FineTunedControl or Pipeline.EqualComputeControl or "clean-1" or "fgsm-1").ToList();
        if (plotted.Count > 0 && c.Plan == PlanKind.Paper)
        {
            ReportPlot.SavePng(plotted, folder.Plot, title: $"CIFAR-10, preset {c.Config.Preset}: accuracy under FGSM (solid, circles) and PGD (dashed, triangles)");
        }

        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant($"{"model",-24} {"clean",8} {"robust at ε=8/255 (95% CI)",28}"));
        foreach (var r in reports)
        {
            string robust = r.WorstCaseAt(PaperDefaults.PgdEpsilon) is { } w
                ? FormattableString.Invariant($"{100 * w.Accuracy:0.0}% ({100 * w.Interval.Lower:0.0}–{100 * w.Interval.Upper:0.0})")
                : "–";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Model,-24} {100 * r.CleanAccuracy,7:0.0}% {robust,28}"));
        }

        Console.WriteLine($"results: {folder.ResultsFor(c.Plan)}");
        if (c.Plan == PlanKind.Paper && c.Config.EvalRapidOnSurvivors)
        {
            var rapid = c.Pipeline.EvaluateOnSurvivors(reports);
            AtomicFile.WriteAllText(folder.ResultsFor(PlanKind.AutoAttackRapid),
                ResultsTable.Render(c.Config, PlanKind.AutoAttackRapid, rapid, RunContext.Machine(), c.Clock.Elapsed, drift, selection, CostFile.Collect(c.Config, folder)));
            Console.WriteLine($"aa-rapid on the paper plan's survivors: {folder.ResultsFor(PlanKind.AutoAttackRapid)}");
        }
    }
}
