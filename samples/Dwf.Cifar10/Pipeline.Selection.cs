using Dwf.Robustness.Attacks;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Infrastructure;

namespace Dwf.Cifar10;

public sealed partial class Pipeline
{
    /// <summary>
    /// Scores every pre-trained expert on the validation split (clean and PGD, cross-entropy, at the training ε) and
    /// saves the choice of the best expert to selection.json; reads it back when it exists.
    /// </summary>
    public ExpertSelection SelectExperts()
    {
        if (File.Exists(folder.Selection))
        {
            var saved = ExpertSelection.FromJson(File.ReadAllText(folder.Selection));
            Console.WriteLine($"selection: done earlier (best expert {saved.BestExpert}, best PGD expert {saved.BestPgdExpert ?? "–"})");
            return saved;
        }

        using var validation = DataSplits.Validation(config, Train);
        var attack = new Pgd(config.PgdEpsilon, 2.0 / 255, config.ValidationPgdSteps);
        var options = new EvaluationOptions
        {
            Plan = new EvaluationPlan("validation", [new EvaluationStage("validation", StageKind.Sweep, [attack])]),
            BatchSize = config.EvalBatchSize,
            SanityChecks = false,
            AdaptiveMixtureChecks = false,
            Seed = RunSeeds.For(config.Seed, SeedPurpose.Validation),
        };
        var scores = new List<ValidationScore>();
        foreach (var spec in ExpertPlan.For(config))
        {
            using var model = LoadExpert(spec.Name, folder.ExpertWeights(spec.Name));
            var report = new RobustnessEvaluator(options, log).Evaluate(model, validation, spec.Name, Provenance.Replace("CIFAR-10", "CIFAR-10 training set, validation split", StringComparison.Ordinal), device, cancellationToken: cancellationToken);
            scores.Add(new ValidationScore(spec.Name, spec.Kind, report.CleanAccuracy, report.RobustAccuracyAt(config.PgdEpsilon)!.Value));
            Console.WriteLine($"validation {spec.Name}: clean {ConsoleProgress.Pct(report.CleanAccuracy)}, {attack.Name} {ConsoleProgress.Pct(scores[^1].Robust)}");
        }

        var selection = ExpertSelection.Choose(attack.Name, validation.Count, scores);
        AtomicFile.WriteAllText(folder.Selection, selection.ToJson());
        log.Info($"selection on {validation.Count} validation images ({attack.Name}): best expert {selection.BestExpert}, best PGD expert {selection.BestPgdExpert ?? "none"}");
        Console.WriteLine($"selection: best expert {selection.BestExpert}, best PGD expert {selection.BestPgdExpert ?? "–"} (validation split, {validation.Count} images)");
        return selection;
    }
}
