using Dwf.Robustness.Attacks;
using Dwf.Robustness.Data;
using Dwf.Robustness.Experts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace Dwf.Robustness.Training;

/// <summary>
/// Phase 1 of DWF: trains one expert on its own — on clean images, or on adversarial examples crafted against the
/// expert itself (in eval mode) with the update in train mode. Never writes to the console; reports through
/// <see cref="IProgress{T}"/> and <see cref="ILogger"/>.
/// </summary>
public sealed class ExpertTrainer
{
    private readonly ILogger _logger;

    /// <summary>Creates a trainer.</summary>
    /// <param name="options">Validated immediately; the defaults (the paper's 150 clean epochs, our SGD) when null, as <see cref="JointTrainer"/> does.</param>
    /// <param name="logger">Receives one line per epoch; <see cref="NullLogger"/> when null.</param>
    public ExpertTrainer(ExpertTrainingOptions? options = null, ILogger? logger = null)
    {
        options ??= new ExpertTrainingOptions();
        options.Validate();
        Options = options;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The options in force.</summary>
    public ExpertTrainingOptions Options { get; }

    /// <summary>
    /// Trains <paramref name="expert"/> in place. With a <paramref name="checkpointPath"/>, a checkpoint is written at
    /// every epoch end and on cancellation, and an existing checkpoint there is resumed exactly.
    /// </summary>
    /// <param name="expert">The expert; its module must be on the loader's device.</param>
    /// <param name="loader">Training batches.</param>
    /// <param name="checkpointPath">Checkpoint file, or null for none.</param>
    /// <param name="progress">Reported after every batch.</param>
    /// <param name="cancellationToken">Checked between batches; cancelling saves a checkpoint, then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>Per-epoch metrics.</returns>
    public TrainingResult Fit(
        IExpert expert,
        BatchLoader loader,
        string? checkpointPath = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expert);
        ArgumentNullException.ThrowIfNull(loader);
        var model = expert.Module;
        using var optimizer = Sgd.Create(model.parameters(), Options.Optimizer);
        var fingerprint = OptionsFingerprint.Of(Options, "options"); // every setting, by path

        var loop = new TrainingLoop
        {
            Phase = $"expert:{expert.Name}",
            Model = model,
            Optimizers = [(optimizer, Options.Optimizer)],
            Loader = loader,
            Epochs = Options.Epochs,
            Seed = Options.Seed,
            GradientCheck = Options.GradientCheck,
            Fingerprint = fingerprint,
            CheckpointPath = checkpointPath,
            Progress = progress,
            Logger = _logger,
            Step = (batch, generator, stats) => Step(model, optimizer, batch, generator, stats),
        };
        model.train();
        try
        {
            return loop.Run(cancellationToken);
        }
        finally
        {
            model.eval();
        }
    }

    private void Step(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, Batch batch, Generator generator, BatchStats stats)
    {
        var x = batch.Images;
        var y = batch.Labels;
        long n = y.shape[0];
        if (Options.Objective.Kind == TrainingObjectiveKind.Trades)
        {
            TradesStep(model, optimizer, x, y, generator, stats);
            return;
        }

        Tensor inputs = x, targets = y;
        if (Options.Attack is { } attack)
        {
            var adversarial = attack.Perturb(model, x, y, generator); // eval mode inside, train mode restored
            if (Options.MixCleanWithAdversarial)
            {
                inputs = cat(new[] { x, adversarial });
                targets = cat(new[] { y, y });
            }
            else
            {
                inputs = adversarial;
            }
        }

        optimizer.zero_grad();
        var logits = model.call(inputs);
        var loss = nn.functional.cross_entropy(logits, targets, label_smoothing: Options.LabelSmoothing);
        loss.backward();
        optimizer.step();

        var correct = logits.detach().argmax(1).eq(targets);
        stats.LossSum += loss.item<float>() * inputs.shape[0];
        stats.LossCount += inputs.shape[0];
        if (Options.Attack is null)
        {
            stats.CleanCorrect += correct.sum().item<long>();
            stats.CleanCount += n;
            return;
        }

        if (Options.MixCleanWithAdversarial)
        {
            stats.CleanCorrect += correct.narrow(0, 0, n).sum().item<long>();
            stats.CleanCount += n;
            stats.AdversarialCorrect += correct.narrow(0, n, n).sum().item<long>();
        }
        else
        {
            stats.AdversarialCorrect += correct.sum().item<long>();
            MeasureClean(model, x, y, stats);
        }

        stats.AdversarialCount += n;
    }

    /// <summary>TRADES: x′ from the attack (eval mode), then CE(f(x), y) + β·KL(p(x) ‖ p(x′)) with both passes in train mode, as the reference does.</summary>
    private void TradesStep(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, Tensor x, Tensor y, Generator generator, BatchStats stats)
    {
        long n = y.shape[0];
        var adversarial = Options.Attack!.Perturb(model, x, y, generator);
        optimizer.zero_grad();
        var clean = model.call(x);
        var attacked = model.call(adversarial);
        var loss = TrainingObjective.TradesLoss(clean, attacked, y, Options.Objective.Beta, Options.LabelSmoothing);
        loss.backward();
        optimizer.step();
        stats.LossSum += loss.item<float>() * n;
        stats.LossCount += n;
        stats.CleanCorrect += clean.detach().argmax(1).eq(y).sum().item<long>();
        stats.CleanCount += n;
        stats.AdversarialCorrect += attacked.detach().argmax(1).eq(y).sum().item<long>();
        stats.AdversarialCount += n;
    }

    private void MeasureClean(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, BatchStats stats)
    {
        long k = Math.Min(Options.CleanAccuracySample, x.shape[0]);
        if (k == 0)
        {
            return;
        }

        model.eval();
        try
        {
            using var noGrad = no_grad();
            stats.CleanCorrect += model.call(x.narrow(0, 0, k)).argmax(1).eq(y.narrow(0, 0, k)).sum().item<long>();
            stats.CleanCount += k;
        }
        finally
        {
            model.train();
        }
    }
}
