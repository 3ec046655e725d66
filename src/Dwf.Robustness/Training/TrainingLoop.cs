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
        var fingerprint = new Dictionary<string, string>(Fingerprint)
        {
            ["epochs"] = Epochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["seed"] = Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["batchSize"] = Loader.Options.BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["images"] = Loader.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["loaderSeed"] = Loader.Options.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["loader"] = System.Text.Json.JsonSerializer.Serialize(Loader.Options), // every loader setting, invariant
            ["data"] = Loader.ContentHash(),
        };
        var optimizers = Optimizers.Select(o => o.Optimizer).ToList();
        int startEpoch = 0, startBatch = 0;
        var history = new List<EpochMetrics>();
        var partial = new BatchStats();
        int? resumedFrom = null;
        if (CheckpointPath is not null && File.Exists(CheckpointPath))
        {
            var header = Checkpoint.Load(CheckpointPath, Phase, fingerprint, Model, optimizers, Epochs, Loader.BatchesPerEpoch);
            (startEpoch, startBatch, partial, history) = (header.Epoch, header.Batch, header.Partial, header.History);
            resumedFrom = startEpoch;
            Logger.LogInformation("{Phase}: resuming from '{Path}' at epoch {Epoch}, batch {Batch}", Phase, CheckpointPath, startEpoch + 1, startBatch);
        }

        int batches = Loader.BatchesPerEpoch;
        long totalSteps = (long)Epochs * batches;
        if (startEpoch < Epochs)
        {
            CheckGradients();
        }

        if (resumedFrom is null && startEpoch < Epochs)
        {
            Setup.BeforeFirstStep?.Invoke();
        }

        for (int epoch = startEpoch; epoch < Epochs; epoch++)
        {
            Setup.BeforeEpoch?.Invoke(epoch, history);
            var groupRates = new List<double>();
            var stats = epoch == startEpoch ? partial : new BatchStats();
            int batch = epoch == startEpoch ? startBatch : 0;
            double rate = double.NaN;
            var clock = Stopwatch.StartNew();
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

                    long step = (long)epoch * batches + batch;
                    groupRates.Clear();
                    for (int i = 0; i < Optimizers.Count; i++)
                    {
                        var (optimizer, options) = Optimizers[i];
                        double r = options.RateAt(step, totalSteps, batches);
                        if (i == 0)
                        {
                            rate = r; // the first optimizer's rate is the one reported
                        }

                        int g = 0;
                        foreach (var group in optimizer.ParamGroups)
                        {
                            group.LearningRate = r * (Setup.GroupScale?.Invoke(i, g++) ?? 1.0);
                            groupRates.Add(group.LearningRate);
                        }
                    }
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

            var metrics = stats.ToMetrics(Phase, epoch, Epochs, rate, clock.Elapsed.TotalSeconds, groupRates.Count > 1 ? groupRates.ToArray() : null);
            history.Add(metrics);
            SaveCheckpoint(fingerprint, epoch + 1, 0, new BatchStats(), history, optimizers);
            Logger.LogInformation(
                "{Phase} epoch {Epoch}/{Epochs}: loss {Loss:F4}, clean acc {Clean:P2}, adversarial acc {Adv:P2}, lr {Rate:G4}{Groups}, {Seconds:F1} s",
                Phase, epoch + 1, Epochs, metrics.Loss, metrics.CleanAccuracy, metrics.AdversarialAccuracy, rate,
                metrics.GroupLearningRates is { } all ? $" (every group: {string.Join(", ", all.Select(r => r.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)))})" : "",
                metrics.Seconds);
            Progress?.Report(new TrainingProgress(Phase, epoch + 1, Epochs, batches, batches, metrics));
        }

        return new TrainingResult(history, resumedFrom);
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
