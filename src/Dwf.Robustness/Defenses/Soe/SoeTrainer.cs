using Dwf.Robustness.Data;
using Dwf.Robustness.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace Dwf.Robustness.Defenses.Soe;

/// <summary>
/// Trains a <see cref="SynergyOfExperts"/> as its paper does: on every batch, the clean images and their adversarial
/// versions crafted against the whole model (through its hard selection), then <see cref="Loss"/> — each expert's
/// per-sample cross-entropy weighted by a detached softmax over the experts' confidences, plus λ times the BCE of each
/// confidence head against its expert's (detached) probability of the true class. Shares the library's training loop:
/// checkpoints at every epoch end and on cancellation, exact resume, progress and logging.
/// </summary>
public sealed class SoeTrainer
{
    private readonly ILogger _logger;

    /// <summary>Creates a trainer.</summary>
    /// <param name="options">Validated immediately; defaults when null.</param>
    /// <param name="logger">One line per epoch; <see cref="NullLogger"/> when null.</param>
    public SoeTrainer(SoeTrainingOptions? options = null, ILogger? logger = null)
    {
        Options = options ?? new SoeTrainingOptions();
        Options.Validate();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The options in force.</summary>
    public SoeTrainingOptions Options { get; }

    /// <summary>Trains <paramref name="model"/> in place; it is left in eval mode.</summary>
    /// <param name="model">The model, on the loader's device.</param>
    /// <param name="loader">Training batches.</param>
    /// <param name="checkpointPath">Checkpoint file (written every epoch and on cancellation, resumed when present), or null.</param>
    /// <param name="progress">Reported after every batch.</param>
    /// <param name="cancellationToken">Checked between batches; cancelling saves a checkpoint, then throws.</param>
    /// <returns>Per-epoch metrics (clean and adversarial accuracy of the selected experts).</returns>
    public TrainingResult Fit(SynergyOfExperts model, BatchLoader loader, string? checkpointPath = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loader);
        using var optimizer = Sgd.Create(model.parameters(), Options.Optimizer);
        var loop = new TrainingLoop
        {
            Phase = "soe",
            Model = model,
            Optimizers = [(optimizer, Options.Optimizer)],
            Loader = loader,
            Epochs = Options.Epochs,
            Seed = Options.Seed,
            Fingerprint = OptionsFingerprint.Of(Options, "options"),
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

    /// <summary>
    /// SoE's loss on one batch: mean over samples of Σₘ softmax(c)ₘ·CEₘ (the softmax over the experts' confidence
    /// logits, detached) plus λ · Σₘ mean over samples of BCE(sigmoid(cₘ), pₘ(y)) with pₘ(y) detached.
    /// </summary>
    /// <param name="output">The model's pass on the batch (train mode).</param>
    /// <param name="labels">int64 [B].</param>
    /// <param name="confidenceWeight">λ.</param>
    /// <returns>The scalar loss.</returns>
    public static Tensor Loss(SoeOutput output, Tensor labels, double confidenceWeight)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(labels);
        using var scope = NewDisposeScope();
        var logits = output.ExpertLogits; // [B,M,K]
        long members = logits.shape[1];
        var perExpert = Enumerable.Range(0, (int)members)
            .Select(m => nn.functional.cross_entropy(logits.select(1, m), labels, reduction: nn.Reduction.None)).ToArray();
        var ce = stack(perExpert, 1); // [B,M]
        var weights = nn.functional.softmax(output.ConfidenceLogits, 1).detach();
        var classification = (weights * ce).sum(1).mean();
        var index = labels.view(-1, 1, 1).expand(-1, members, 1);
        var trueProbability = nn.functional.softmax(logits, 2).gather(2, index).squeeze(2).detach();
        var confidence = nn.functional.binary_cross_entropy_with_logits(output.ConfidenceLogits, trueProbability) * members;
        return (classification + confidenceWeight * confidence).MoveToOuterDisposeScope();
    }

    private void Step(SynergyOfExperts model, optim.Optimizer optimizer, Batch batch, Generator generator, BatchStats stats)
    {
        var x = batch.Images;
        var y = batch.Labels;
        long n = y.shape[0];
        Tensor inputs = x, targets = y;
        if (Options.Attack is { } attack)
        {
            var adversarial = attack.Perturb(model, x, y, generator); // eval mode inside, train mode restored
            inputs = cat(new[] { x, adversarial });
            targets = cat(new[] { y, y });
        }

        optimizer.zero_grad();
        using var output = model.ForwardDetailed(inputs);
        var loss = Loss(output, targets, Options.ConfidenceWeight);
        loss.backward();
        optimizer.step();

        var correct = output.SelectedLogits().detach().argmax(1).eq(targets);
        stats.LossSum += loss.item<float>() * inputs.shape[0];
        stats.LossCount += inputs.shape[0];
        stats.CleanCorrect += correct.narrow(0, 0, n).sum().item<long>();
        stats.CleanCount += n;
        if (Options.Attack is not null)
        {
            stats.AdversarialCorrect += correct.narrow(0, n, n).sum().item<long>();
            stats.AdversarialCount += n;
        }
    }
}
