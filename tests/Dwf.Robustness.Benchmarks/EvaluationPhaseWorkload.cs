using System.Diagnostics;
using System.Text.Json;
using Dwf.Robustness.Attacks;
using Dwf.Robustness.Data;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Persistence;
using Dwf.Robustness.Testing;

namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// The evaluation phase of a sample run for one saved model, as the sample runs it (paper plan with sanity and
/// adaptive checks, then aa-rapid on its survivors; the run's config.json gives the attacks and test images), under a
/// fixed clock so two builds' reports can be compared byte for byte: evaluation-phase &lt;run&gt; &lt;model.bin&gt; &lt;out prefix&gt; [archive].
/// Prints wall time and how many batches each pass attacked (progress reports between batches), the measure of passes.
/// </summary>
internal static class EvaluationPhaseWorkload
{
    public static void Run(string runFolder, string weights, string outPrefix, string archive)
    {
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(runFolder, "config.json"))).RootElement;
        double pgdEpsilon = config.GetProperty("PgdEpsilon").GetDouble();
        var paper = new EvaluationOptions
        {
            FgsmEpsilons = config.GetProperty("EvalFgsmEpsilons").EnumerateArray().Select(e => e.GetDouble()).ToList(),
            PgdEpsilons = [pgdEpsilon],
            PgdSteps = config.GetProperty("EvalPgdSteps").EnumerateArray().Select(e => e.GetInt32()).ToList(),
            PgdLosses = config.GetProperty("EvalPgdLosses").EnumerateArray().Select(e => (AttackLoss)e.GetInt32()).ToList(),
            PerClass = config.GetProperty("EvalPerClass").GetInt32(),
            SkipPerClass = config.TryGetProperty("EvalSkipPerClass", out var skip) ? skip.GetInt32() : 0,
            BatchSize = config.GetProperty("EvalBatchSize").GetInt32(),
            Seed = 1,
        };
        paper = paper with { Plan = EvaluationPlans.For(PlanKind.Paper, paper, pgdEpsilon) };
        var rapid = paper with { Plan = EvaluationPlans.For(PlanKind.AutoAttackRapid, paper, pgdEpsilon), SanityChecks = false, AdaptiveMixtureChecks = false };
        using var test = Cifar10Reader.Load(archive, Cifar10Split.Test);
        using var model = weights.Contains("joint", StringComparison.Ordinal)
            ? (TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>)SavedModel.LoadMixture(weights)
            : SavedModel.LoadExpert(weights).Module;
        var clock = new FixedTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var first = Timed("paper", () => new RobustnessEvaluator(paper, timeProvider: clock).Evaluate(model, test, "model", progress: Counter("paper")));
        ReportJson.Write(first, outPrefix + "-paper.json");
        var second = Timed("aa-rapid", () => new RobustnessEvaluator(rapid with { After = first }, timeProvider: clock).Evaluate(model, test, "model", progress: Counter("aa-rapid")));
        ReportJson.Write(second, outPrefix + "-rapid.json");
        Console.WriteLine($"robust at 8/255: paper {first.RobustAccuracyAt(pgdEpsilon):P1}, after aa-rapid {second.RobustAccuracyAt(pgdEpsilon):P1}");
    }

    private static readonly Dictionary<string, Dictionary<string, int>> Batches = [];

    private static SyncProgress<EvaluationProgress> Counter(string phase)
    {
        var perStage = Batches[phase] = [];
        return new SyncProgress<EvaluationProgress>(p =>
        {
            if (p.AttackSteps == 0)
            {
                perStage[p.Stage] = perStage.GetValueOrDefault(p.Stage) + 1;
            }
        });
    }

    private static RobustnessReport Timed(string phase, Func<RobustnessReport> evaluate)
    {
        var watch = Stopwatch.StartNew();
        var report = evaluate();
        var perStage = Batches[phase];
        Console.WriteLine($"{phase}: {watch.Elapsed.TotalSeconds:F1} s, {perStage.Values.Sum()} batches over {perStage.Count} stages " +
                          $"({string.Join(", ", perStage.Select(kv => $"{kv.Key} {kv.Value}"))}); {TorchSharp.torch.get_num_threads()} threads");
        return report;
    }
}
