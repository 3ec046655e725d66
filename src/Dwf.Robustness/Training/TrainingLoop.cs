using System.Diagnostics;
using Dwf.Robustness.Data;
using Dwf.Robustness.Infrastructure;
using Dwf.Robustness.Numerics;
using Microsoft.Extensions.Logging;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Checkpoint = Dwf.Robustness.Persistence.TrainingCheckpoint<Dwf.Robustness.Training.BatchStats, Dwf.Robustness.Training.EpochMetrics>;

namespace Dwf.Robustness.Training;

/// <summary>
/// The epoch/batch loop every trainer shares (<see cref="AdversarialTrainer{TModel, TOptions}"/>): learning-rate schedule per step, one dispose scope per batch,
/// one attack generator per (seed, epoch, batch), progress and logging, cancellation between batches, and a
/// checkpoint at every epoch end and on cancellation from which a later run continues exactly.
/// </summary>
internal sealed class TrainingLoop
{
    /// <summary>What the defense supplies: phase, module, optimizers, step and hooks.</summary>
    public required TrainingSetup Setup { get; init; }

    public required BatchLoader Loader { get; init; }

    public required int Epochs { get; init; }

    public required long Seed { get; init; }

    /// <summary>Settings that must match for a checkpoint to be resumed.</summary>
    public required Dictionary<string, string> Fingerprint { get; init; }

    public string? CheckpointPath { get; init; }

    public IProgress<TrainingProgress>? Progress { get; init; }

    public ILogger Logger { get; init; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>What a failed <see cref="InputGradientCheck"/> of <see cref="Model"/> does before the first step of this process; not part of the fingerprint.</summary>
    public GradientCheckMode GradientCheck { get; init; } = GradientCheckMode.Fail;

    /// <summary>The input-gradient check on the first images of the data (no random draw, so training is unchanged by it).</summary>
    private void CheckGradients()
    {
        if (Model is not nn.Module<Tensor, Tensor> classifier)
        {
            return;
        }

        var result = InputGradientCheck.EnsureCheckedOnFirstImages(classifier, Loader, GradientCheck);
        if (result is { Passed: false })
        {
            Logger.LogWarning("{Phase}: {Check}", Phase, result.Describe());
        }
    }

    private string Phase => Setup.Phase;

    private nn.Module Model => Setup.Module;

    private IReadOnlyList<(OptimizerHelper Optimizer, OptimizerOptions Options)> Optimizers => Setup.Optimizers;

    public TrainingResult Run(CancellationToken cancellationToken)
    {
        var fingerprint = FullFingerprint();
        var optimizers = Optimizers.Select(o => o.Optimizer).ToList();
        var (startEpoch, startBatch, partial, history, resumedFrom) = Resume(fingerprint, optimizers);
        if (startEpoch < Epochs)
        {
            CheckGradients();
            if (resumedFrom is null)
            {
                Setup.BeforeFirstStep?.Invoke();
            }
        }

        for (int epoch = startEpoch; epoch < Epochs; epoch++)
        {
            Setup.BeforeEpoch?.Invoke(epoch, history);
            var stats = epoch == startEpoch ? partial : new BatchStats();
            var clock = Stopwatch.StartNew();
            var (rate, groupRates) = RunEpoch(epoch, epoch == startEpoch ? startBatch : 0, stats, history, fingerprint, optimizers, cancellationToken);
            var metrics = stats.ToMetrics(Phase, epoch, Epochs, rate, clock.Elapsed.TotalSeconds, groupRates.Count > 1 ? groupRates.ToArray() : null);
            history.Add(metrics);
            SaveCheckpoint(fingerprint, epoch + 1, 0, new BatchStats(), history, optimizers);
            Logger.LogInformation(
                "{Phase} epoch {Epoch}/{Epochs}: loss {Loss:F4}, clean acc {Clean:P2}, adversarial acc {Adv:P2}, lr {Rate:G4}{Groups}, {Seconds:F1} s",
                Phase, epoch + 1, Epochs, metrics.Loss, metrics.CleanAccuracy, metrics.AdversarialAccuracy, rate,
                metrics.GroupLearningRates is { } all ? $" (every group: {string.Join(", ", all.Select(r => r.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)))})" : "",
                metrics.Seconds);
            Progress?.Report(new TrainingProgress(Phase, epoch + 1, Epochs, Loader.BatchesPerEpoch, Loader.BatchesPerEpoch, metrics));
        }

        return new TrainingResult(history, resumedFrom);
    }

    /// <summary>The settings a resumed checkpoint must match: the trainer's, the loop's and every loader setting with the data's hash.</summary>
    private Dictionary<string, string> FullFingerprint() => new(Fingerprint)
    {
        ["epochs"] = Epochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["seed"] = Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["batchSize"] = Loader.Options.BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["images"] = Loader.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["loaderSeed"] = Loader.Options.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["loader"] = System.Text.Json.JsonSerializer.Serialize(Loader.Options), // every loader setting, invariant
        ["data"] = Loader.ContentHash(),
    };

    /// <summary>Where training starts: the checkpoint's epoch, batch, partial sums and history when one exists (its model and optimizer state loaded), else the beginning.</summary>
    private (int Epoch, int Batch, BatchStats Partial, List<EpochMetrics> History, int? ResumedFrom) Resume(Dictionary<string, string> fingerprint, IReadOnlyList<OptimizerHelper> optimizers)
    {
        if (CheckpointPath is null || !File.Exists(CheckpointPath))
        {
            return (0, 0, new BatchStats(), [], null);
        }

        var header = Checkpoint.Load(CheckpointPath, Phase, fingerprint, Model, optimizers, Epochs, Loader.BatchesPerEpoch);
        Logger.LogInformation("{Phase}: resuming from '{Path}' at epoch {Epoch}, batch {Batch}", Phase, CheckpointPath, header.Epoch + 1, header.Batch);
        return (header.Epoch, header.Batch, header.Partial, header.History, header.Epoch);
    }

    /// <summary>One epoch from <paramref name="batch"/> on: the scheduled rates, then the step in its own dispose scope with the (seed, epoch, batch) generator; a checkpoint before throwing on cancellation.</summary>
    /// <returns>The first optimizer's last rate (the one reported) and every parameter group's.</returns>
    private (double Rate, List<double> GroupRates) RunEpoch(int epoch, int batch, BatchStats stats, List<EpochMetrics> history, Dictionary<string, string> fingerprint,
        IReadOnlyList<OptimizerHelper> optimizers, CancellationToken cancellationToken)
    {
        int batches = Loader.BatchesPerEpoch;
        var groupRates = new List<double>();
        double rate = double.NaN;
        foreach (var data in Loader.Epoch(epoch, skipBatches: batch))
        {
            using (data)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    SaveCheckpoint(fingerprint, epoch, batch, stats, history, optimizers);
                    Logger.LogWarning("{Phase}: cancelled at epoch {Epoch}, batch {Batch}; checkpoint saved", Phase, epoch + 1, batch);
                    cancellationToken.ThrowIfCancellationRequested();
                }

                rate = SetRates((long)epoch * batches + batch, groupRates);
                using (var scope = NewDisposeScope())
                using (var generator = Seeds.Generator(Seed, epoch, batch))
                {
                    Setup.Step(data, generator, stats);
                }

                stats.Batches++;
                batch++;
                if (batch < batches)
                {
                    Progress?.Report(new TrainingProgress(Phase, epoch + 1, Epochs, batch, batches, null));
                }
            }
        }

        return (rate, groupRates);
    }

    /// <summary>Every parameter group's rate for <paramref name="step"/> (its optimizer's schedule times <see cref="TrainingSetup.GroupScale"/>), written into <paramref name="groupRates"/>.</summary>
    /// <returns>The first optimizer's scheduled rate: the one reported.</returns>
    private double SetRates(long step, List<double> groupRates)
    {
        int batches = Loader.BatchesPerEpoch;
        long totalSteps = (long)Epochs * batches;
        double rate = double.NaN;
        groupRates.Clear();
        for (int i = 0; i < Optimizers.Count; i++)
        {
            var (optimizer, options) = Optimizers[i];
            double r = options.RateAt(step, totalSteps, batches);
            if (i == 0)
            {
                rate = r;
            }

            int g = 0;
            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate = r * (Setup.GroupScale?.Invoke(i, g++) ?? 1.0);
                groupRates.Add(group.LearningRate);
            }
        }

        return rate;
    }

    private void SaveCheckpoint(Dictionary<string, string> fingerprint, int epoch, int batch, BatchStats stats, List<EpochMetrics> history, IReadOnlyList<OptimizerHelper> optimizers)
    {
        if (CheckpointPath is null)
        {
            return;
        }

        Checkpoint.Save(CheckpointPath, new Checkpoint.Header(Phase, fingerprint, epoch, batch, stats, history), Model, optimizers);
    }
}
