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
        var attack = ValidationAttack();
        var scores = new List<ValidationScore>();
        foreach (var spec in ExpertPlan.For(config))
        {
            using var model = LoadExpert(spec.Name, folder.ExpertWeights(spec.Name));
            var (clean, robust) = Validate(model, validation, spec.Name, checkGradients: true);
            scores.Add(new ValidationScore(spec.Name, spec.Kind, clean, robust));
            Console.WriteLine($"validation {spec.Name}: clean {ConsoleProgress.Pct(clean)}, {attack.Name} {ConsoleProgress.Pct(robust)}");
        }

        var selection = ExpertSelection.Choose(attack.Name, validation.Count, scores);
        AtomicFile.WriteAllText(folder.Selection, selection.ToJson());
        log.Info($"selection on {validation.Count} validation images ({attack.Name}): best expert {selection.BestExpert}, best PGD expert {selection.BestPgdExpert ?? "none"}");
        Console.WriteLine($"selection: best expert {selection.BestExpert}, best PGD expert {selection.BestPgdExpert ?? "–"} (validation split, {validation.Count} images)");
        return selection;
    }

    /// <summary>The validation attack: PGD with cross-entropy at the training ε, step 2/255, <see cref="RunConfig.ValidationPgdSteps"/> iterations.</summary>
    private Pgd ValidationAttack() => new(config.PgdEpsilon, 2.0 / 255, config.ValidationPgdSteps);

    /// <summary>Clean and robust accuracy of <paramref name="model"/> on the validation split under <see cref="ValidationAttack"/>; the model's mode is restored.</summary>
    private (double Clean, double Robust) Validate(TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> model, Dwf.Robustness.Data.ImageDataset validation, string name, bool checkGradients)
    {
        var options = new EvaluationOptions
        {
            Plan = new EvaluationPlan("validation", [new EvaluationStage("validation", StageKind.Sweep, [ValidationAttack()])]),
            BatchSize = config.Eval.BatchSize,
            SanityChecks = false,
            AdaptiveMixtureChecks = false,
            // During training the trainer has checked this model's gradients already.
            GradientCheck = checkGradients ? Dwf.Robustness.Numerics.GradientCheckMode.Fail : Dwf.Robustness.Numerics.GradientCheckMode.Off,
            Seed = RunSeeds.For(config.Seed, SeedPurpose.Validation),
        };
        var report = new RobustnessEvaluator(options, log).Evaluate(model, validation, name,
            Source.Describe(Data.DataPart.Train, "validation split"), device, cancellationToken: cancellationToken);
        return (report.CleanAccuracy, report.RobustAccuracyAt(config.PgdEpsilon)!.Value);
    }

    /// <summary>
    /// At the epochs <see cref="ValidationCurve.Measures"/> picks, records <paramref name="model"/>'s accuracy on
    /// <paramref name="validation"/> to <paramref name="path"/> (the training loop reports the epoch after saving its checkpoint).
    /// </summary>
    private Action<Dwf.Robustness.Training.EpochMetrics> CurveRecorder(TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> model,
        Dwf.Robustness.Data.ImageDataset validation, string name, string path) => m =>
    {
        if (ValidationCurve.Measures(m.Epoch, m.Epochs, config.ControlValidationPoints))
        {
            var (clean, robust) = Validate(model, validation, name, checkGradients: false);
            ValidationCurve.Append(path, new ValidationPoint(m.Epoch, clean, robust));
            log.Info(FormattableString.Invariant($"{name} epoch {m.Epoch}/{m.Epochs}: validation clean {clean:P2}, robust {robust:P2}"));
        }
    };

    /// <summary>Forwards progress, and every completed epoch's metrics to <paramref name="onEpoch"/>.</summary>
    private sealed class EpochEndProgress(IProgress<Dwf.Robustness.Training.TrainingProgress> inner, Action<Dwf.Robustness.Training.EpochMetrics> onEpoch)
        : IProgress<Dwf.Robustness.Training.TrainingProgress>
    {
        public void Report(Dwf.Robustness.Training.TrainingProgress value)
        {
            inner.Report(value);
            if (value.CompletedEpoch is { } m)
            {
                onEpoch(m);
            }
        }
    }
}
