using System.Reflection;
using Dwf.Robustness.Attacks;
using Dwf.Robustness.Routing;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Dwf.Robustness.Evaluation;

/// <summary>The report of a finished evaluation: per attack run, per stage, the worst case per ε, per class, the gate and the checks' warnings.</summary>
internal static class ReportAssembly
{
    public static RobustnessReport Build(EvaluationRun run, int gateUnit, TimeProvider time)
    {
        int n = run.Count;
        var clean = Outcomes.ToHost(run.Outcomes.Clean!);
        var completed = Enumerable.Range(0, run.Units.Count).Select(u => Outcomes.ToHost(run.Outcomes[u])).ToList();
        var results = run.Units.Select((unit, u) =>
        {
            int hits = completed[u].Count(c => c);
            return new AttackResult(unit.Name, unit.Attack.Descriptor, unit.Stage, unit.Kind, (double)hits / n, hits, n,
                ConfidenceInterval.Wilson(hits, n), SampleOutcomes.From(completed[u]), unit.Surrogate);
        }).ToList();
        var stages = run.Plan.Stages.Select(stage => StageRecordOf(stage, run.Units, completed, clean))
            .Concat(run.Units.Any(x => x.IsAdaptive) ? [StageRecordOf(null, run.Units, completed, clean)] : [])
            .ToList();

        int classes = run.Data.ClassNames.Count;
        var warnings = run.State.Warnings.ToList();
        if (run.Options.SanityChecks)
        {
            SanityChecks.CheckSweep(results.Where(r => r.Surrogate is null).ToList(), warnings);
            SanityChecks.CheckAdaptive(results, warnings);
            warnings.AddRange(run.LateWarnings);
        }

        foreach (var w in warnings)
        {
            run.Logger.LogWarning("{Model}: {Warning}", run.Call.ModelName, w);
        }

        int cleanCorrect = clean.Count(c => c);
        return new RobustnessReport(
            RobustnessReport.CurrentSchemaVersion,
            run.Call.ModelName,
            run.Description,
            n,
            run.DataHash,
            run.Plan.ThreatModel,
            new PlanRecord(run.Plan.Name, stages),
            EvaluationSettings.From(run.Options, run.Plan, run.Expectation),
            (double)cleanCorrect / n,
            ConfidenceInterval.Wilson(cleanCorrect, n),
            run.State.Clean!,
            results,
            WorstCases(results, completed, clean, run.Labels, classes),
            run.Data.ClassNames.ToArray(),
            PerClass(clean, run.Labels, classes),
            Gate(run, gateUnit),
            warnings,
            Describe(run.Model),
            Versions(),
            run.State.Seconds + run.Clock.Elapsed.TotalSeconds,
            time.GetUtcNow());
    }

    /// <summary>The attack run whose adversarial images show the gate under attack: the last PGD or APGD of the plan, else the plan's last attack.</summary>
    public static int GateAttackIndex(IReadOnlyList<EvaluationUnit> units)
    {
        var attacks = units.Where(u => !u.IsAdaptive).Select(u => u.Attack).ToList();
        for (int i = attacks.Count - 1; i >= 0; i--)
        {
            if (attacks[i].Descriptor.Family is AttackFamily.Pgd or AttackFamily.Apgd)
            {
                return i;
            }
        }

        return attacks.Count - 1;
    }

    private static GateReport? Gate(EvaluationRun run, int gateUnit)
    {
        if (run.Routed is not { } routed)
        {
            return null;
        }

        var state = run.State;
        return new GateReport(
            routed.RouteNames.ToArray(),
            state.GateClean!.Select(s => s / run.Count).ToArray(),
            state.GateAttacked!.Select(s => state.GateAttackedCount == 0 ? double.NaN : s / state.GateAttackedCount).ToArray(),
            gateUnit >= 0 ? run.Units[gateUnit].Attack.Name : "none");
    }

    private static StageRecord StageRecordOf(EvaluationStage? stage, IReadOnlyList<EvaluationUnit> units, IReadOnlyList<bool[]> completed, bool[] clean)
    {
        string name = stage?.Name ?? EvaluationUnit.AdaptiveStage;
        var members = Enumerable.Range(0, units.Count).Where(i => units[i].Stage == name).ToList();
        var robust = SampleOutcomes.CorrectUnderAll([clean, .. members.Select(m => completed[m])]);
        return new StageRecord(name, stage?.Kind ?? StageKind.Cascade, members.Select(m => units[m].Attack.Descriptor).ToList(),
            (double)robust.Count(c => c) / clean.Length);
    }

    /// <summary>One worst case per distinct ε (±1e-9), in ascending ε: clean and every attack at that budget.</summary>
    private static List<WorstCase> WorstCases(IReadOnlyList<AttackResult> results, IReadOnlyList<bool[]> outcomes, bool[] clean, long[] labels, int classes)
    {
        var budgets = new List<double>();
        foreach (var e in results.Select(r => r.Descriptor.Epsilon).OrderBy(e => e))
        {
            if (budgets.Count == 0 || !Epsilon.SameBudget(budgets[^1], e))
            {
                budgets.Add(e);
            }
        }

        return budgets.Select(e =>
        {
            var at = Enumerable.Range(0, results.Count).Where(i => Epsilon.SameBudget(results[i].Descriptor.Epsilon, e)).ToList();
            var robust = SampleOutcomes.CorrectUnderAll([clean, .. at.Select(r => outcomes[r])]);
            int hits = robust.Count(c => c);
            return new WorstCase(e, (double)hits / clean.Length, hits, clean.Length, ConfidenceInterval.Wilson(hits, clean.Length),
                at.Select(r => results[r].Attack).ToList(), PerClass(robust, labels, classes), SampleOutcomes.From(robust));
        }).ToList();
    }

    private static double[] PerClass(bool[] correct, long[] labels, int classes)
    {
        var hits = new double[classes];
        var totals = new double[classes];
        for (int i = 0; i < labels.Length; i++)
        {
            totals[labels[i]]++;
            hits[labels[i]] += correct[i] ? 1 : 0;
        }

        return hits.Select((h, c) => totals[c] == 0 ? double.NaN : h / totals[c]).ToArray();
    }

    private static ModelInfo Describe(nn.Module<Tensor, Tensor> model)
    {
        long parameters = model.parameters().Sum(p => p.numel());
        return model is IRoutedModel routed ? new ModelInfo(routed.Description, parameters, routed.ForwardPasses) : new ModelInfo(model.GetType().Name, parameters, 1);
    }

    private static VersionInfo Versions() => new(
        typeof(RobustnessEvaluator).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
        typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "unknown");
}
