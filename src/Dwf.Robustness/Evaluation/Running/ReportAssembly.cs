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
        var stages = run.Plan.Stages.Select(stage => StageRecordOf(stage.Name, stage.Kind, results, completed, clean))
            .Concat(run.Units.Any(x => x.IsAdaptive) ? [StageRecordOf(EvaluationUnit.AdaptiveStage, StageKind.Cascade, results, completed, clean)] : [])
            .ToList();

        int classes = run.Data.ClassNames.Count;
        var late = run.Options.SanityChecks ? run.LateWarnings : [];
        var warnings = Warnings(run.State.Warnings, results, run.Options.SanityChecks, late);

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
            time.GetUtcNow(),
            Shard: run.Options.Shard is { } shard ? ShardRecordOf(run, shard, late) : null);
    }

    /// <summary>The report's warnings, in order: the model's and first images' (<paramref name="image"/>), the results' when <paramref name="sanityChecks"/>, the late checks'.</summary>
    internal static List<EvaluationWarning> Warnings(IEnumerable<EvaluationWarning> image, IReadOnlyList<AttackResult> results, bool sanityChecks, IEnumerable<EvaluationWarning> late)
    {
        var warnings = image.ToList();
        if (sanityChecks)
        {
            SanityChecks.CheckSweep(results.Where(r => r.Surrogate is null).ToList(), warnings);
            SanityChecks.CheckAdaptive(results, warnings);
            warnings.AddRange(late);
        }

        return warnings;
    }

    private static ShardRecord ShardRecordOf(EvaluationRun run, EvaluationShard shard, IEnumerable<EvaluationWarning> late) => new(
        shard.Index, shard.Count, run.FirstImage, run.TotalImages, run.WholeDescription, run.Labels.Select(l => (int)l).ToArray(),
        run.State.GateClean?.ToArray() ?? [], run.State.GateAttacked?.ToArray() ?? [], run.State.GateAttackedCount,
        run.State.Warnings.ToArray(), late.ToArray(), run.Options.SanityChecks);

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

    /// <summary>Stage <paramref name="name"/> as recorded: its attacks (the results of that stage) and the share of images robust to all of them.</summary>
    internal static StageRecord StageRecordOf(string name, StageKind kind, IReadOnlyList<AttackResult> results, IReadOnlyList<bool[]> completed, bool[] clean)
    {
        var members = Enumerable.Range(0, results.Count).Where(i => results[i].Stage == name).ToList();
        var robust = SampleOutcomes.CorrectUnderAll([clean, .. members.Select(m => completed[m])]);
        return new StageRecord(name, kind, members.Select(m => results[m].Descriptor).ToList(), (double)robust.Count(c => c) / clean.Length);
    }

    /// <summary>One worst case per distinct ε (±1e-9), in ascending ε: clean and every attack at that budget.</summary>
    internal static List<WorstCase> WorstCases(IReadOnlyList<AttackResult> results, IReadOnlyList<bool[]> outcomes, bool[] clean, long[] labels, int classes)
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

    internal static double[] PerClass(bool[] correct, long[] labels, int classes)
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

    internal static VersionInfo Versions() => new(
        typeof(RobustnessEvaluator).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
        typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "unknown");
}
