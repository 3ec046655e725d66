using Dwf.Robustness.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dwf.Robustness.Training;

/// <summary>
/// The frame every trainer of this library shares: options validated at construction, a logger, and
/// <see cref="Fit"/> — argument checks, every option in the checkpoint's fingerprint, the one epoch/batch loop
/// (learning-rate schedule, a dispose scope and a seeded generator per batch, progress, logging, cancellation between
/// batches, a checkpoint at every epoch end and on cancellation, exact resume), the model in train mode during the loop
/// and in eval mode after it, also on failure. A defense derives from it and supplies only its optimizers and its step
/// (in this assembly: the constructor and the step's types are internal, so the loop stays one).
/// Never writes to the console.
/// </summary>
/// <typeparam name="TModel">What the defense trains.</typeparam>
/// <typeparam name="TOptions">Its options.</typeparam>
public abstract class AdversarialTrainer<TModel, TOptions>
    where TModel : class
    where TOptions : class, ITrainingOptions, new()
{
    /// <summary>Validates <paramref name="options"/> (the defaults when null) and keeps the logger.</summary>
    /// <param name="options">The options; <see cref="ITrainingOptions.Validate"/> runs here, so bad settings fail before any work.</param>
    /// <param name="logger">Receives one line per epoch; <see cref="NullLogger"/> when null.</param>
    private protected AdversarialTrainer(TOptions? options, ILogger? logger)
    {
        Options = options ?? new TOptions();
        Options.Validate();
        Logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The options in force.</summary>
    public TOptions Options { get; }

    /// <summary>Where the epoch lines go.</summary>
    private protected ILogger Logger { get; }

    /// <summary>
    /// Trains <paramref name="model"/> in place; it is left in eval mode. With a <paramref name="checkpointPath"/>, a
    /// checkpoint is written at every epoch end and on cancellation, and an existing checkpoint there is resumed
    /// exactly — when its phase and every setting match (another setting is refused, naming it).
    /// </summary>
    /// <param name="model">The model, on the loader's device.</param>
    /// <param name="loader">Training batches.</param>
    /// <param name="checkpointPath">Checkpoint file, or null for none.</param>
    /// <param name="progress">Reported after every batch.</param>
    /// <param name="cancellationToken">Checked between batches; cancelling saves a checkpoint, then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>Per-epoch metrics.</returns>
    public TrainingResult Fit(
        TModel model,
        BatchLoader loader,
        string? checkpointPath = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loader);
        using var setup = Prepare(model, loader);
        var loop = new TrainingLoop
        {
            Setup = setup,
            Loader = loader,
            Epochs = Options.Epochs,
            Seed = Options.Seed,
            GradientCheck = Options.GradientCheck,
            Fingerprint = new(OptionsFingerprint.Of(Options, "options").Concat(setup.Fingerprint)), // every setting, by path
            CheckpointPath = checkpointPath,
            Progress = progress,
            Logger = Logger,
        };
        setup.Module.train();
        try
        {
            return loop.Run(cancellationToken);
        }
        finally
        {
            setup.Module.eval();
        }
    }

    /// <summary>The defense's part of one <see cref="Fit"/>: its module, optimizers, step and hooks.</summary>
    /// <param name="model">The model (not null).</param>
    /// <param name="loader">The training batches (not null).</param>
    /// <returns>The setup; disposed (with its optimizers) when the fit ends.</returns>
    private protected abstract TrainingSetup Prepare(TModel model, BatchLoader loader);
}
