using Dwf.Robustness.Data;
using Dwf.Robustness.Training;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Dwf.Robustness.Defenses.Soe;

/// <summary>
/// Trains a <see cref="SynergyOfExperts"/> as its paper does: on every batch, the clean images and their adversarial
/// versions crafted against the whole model (through its hard selection), then <see cref="Loss"/> — each expert's
/// per-sample cross-entropy weighted by a detached softmax over the experts' confidences, plus λ times the BCE of each
/// confidence head against its expert's (detached) probability of the true class. Shares the library's training loop:
/// checkpoints at every epoch end and on cancellation, exact resume, progress and logging.
/// </summary>
public sealed class SoeTrainer : AdversarialTrainer<SynergyOfExperts, SoeTrainingOptions>
{
    /// <summary>Creates a trainer; the options (defaults when null) are validated at once.</summary>
    /// <inheritdoc cref="AdversarialTrainer{TModel, TOptions}.AdversarialTrainer(TOptions, ILogger)" path="/param"/>
    public SoeTrainer(SoeTrainingOptions? options = null, ILogger? logger = null)
        : base(options, logger)
    {
    }

    /// <inheritdoc />
    private protected override TrainingSetup Prepare(SynergyOfExperts model, BatchLoader loader)
    {
        var optimizer = Sgd.Create(model.parameters(), Options.Optimizer);
        return new TrainingSetup
        {
            Phase = "soe",
            Module = model,
            Optimizers = [(optimizer, Options.Optimizer)],
            Step = (batch, generator, stats) => Step(model, optimizer, batch, generator, stats),
        };
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

        var selected = output.SelectedLogits();
        stats.AddLoss(loss, inputs.shape[0]);
        stats.AddClean(selected.narrow(0, 0, n), y);
        if (Options.Attack is not null)
        {
            stats.AddAdversarial(selected.narrow(0, n, n), y);
        }
    }
}
