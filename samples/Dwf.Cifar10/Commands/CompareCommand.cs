using System.CommandLine;
using System.Globalization;
using Dwf.Cifar10.Compare;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Infrastructure;

namespace Dwf.Cifar10.Commands;

/// <summary><c>compare</c>: trains every defense of <see cref="DefenseRecipes.All"/> (or those <see cref="RunConfig.CompareDefenses"/> selects), evaluates each with the same two plans on the same images, and writes compare.md.</summary>
public static class CompareCommand
{
    public static Command Create(SharedOptions o)
    {
        var command = new Command("compare",
            "Train and evaluate every defense (DWF, frozen mixture, PGD-AT, TRADES, SoE, ADVMoE) with one evaluation (paper plan, then aa-rapid on its survivors at 8/255) on the same images; write compare.md. " +
            "Measured: --preset cpu-small --set EvalPerClass=70 took 126 min on 2 cores (78 min training, 48 min evaluation; docs/results/compare). " +
            "--set CompareDefenses=Dwf trains and evaluates DWF alone, for an ablation beside an earlier run (docs/results/compare/ablations).");
        command.SetAction((p, ct) => RunContext.Execute(p, o, ct, Run));
        return command;
    }

    public static void Run(RunContext c)
    {
        var defenses = DefenseRecipes.Selected(c.Config);
        c.Pipeline.EvaluationOptionsFor(PlanKind.AutoAttackRapid); // refuses data it cannot evaluate (fewer than 4 classes) before anything is trained
        foreach (var (d, i) in defenses)
        {
            if (File.Exists(c.Folder.Report(d.Name, "json", PlanKind.Paper)) && File.Exists(c.Folder.Report(d.Name, "json", PlanKind.AutoAttackRapid)))
            {
                Console.WriteLine($"{d.Name}: both reports done earlier, not trained again");
                continue;
            }

            d.Train(c.Pipeline, i);
        }

        var paper = c.Pipeline.EvaluationOptionsFor(PlanKind.Paper);
        var rapid = c.Pipeline.EvaluationOptionsFor(PlanKind.AutoAttackRapid);
        var entries = defenses.Select(x =>
        {
            var (d, i) = x;
            var first = c.Pipeline.EvaluateOne(d.Name, () => c.Pipeline.LoadTrained(d, i), paper, PlanKind.Paper);
            return new CompareTable.Entry(d, first, c.Pipeline.EvaluateOne(d.Name, () => c.Pipeline.LoadTrained(d, i), Pipeline.ContinueFrom(rapid, first), PlanKind.AutoAttackRapid));
        }).ToList();
        AtomicFile.WriteAllText(c.Folder.Compare, CompareTable.Render(c.Config, entries, CostFile.Collect(c.Config, c.Folder), RunContext.Machine(), c.Clock.Elapsed));

        Console.WriteLine();
        Console.WriteLine($"{"defense",-46} {"clean",7} {"worst case ε=8/255",20}");
        foreach (var x in entries)
        {
            var worst = CompareTable.Worst(x, c.Config.PgdEpsilon);
            string w = worst is null ? "–" : (100.0 * worst.Count(b => b) / worst.Length).ToString("0.0", CultureInfo.InvariantCulture) + "%";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{x.Defense.Label,-46} {100 * x.Paper.CleanAccuracy,6:0.0}% {w,20}"));
        }

        Console.WriteLine($"table: {c.Folder.Compare}");
    }
}
