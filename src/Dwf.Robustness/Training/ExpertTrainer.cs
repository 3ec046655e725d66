using Dwf.Robustness.Attacks;
using Dwf.Robustness.Data;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Infrastructure;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Dwf.Robustness.Training;

/// <summary>
/// Phase 1 of DWF: trains one expert on its own — on clean images, or on adversarial examples crafted against the
/// expert itself (in eval mode) with the update in train mode. Never writes to the console; reports through
/// <see cref="IProgress{T}"/> and <see cref="ILogger"/>.
/// </summary>
public sealed class ExpertTrainer : AdversarialTrainer<IExpert, ExpertTrainingOptions>
{
    /// <summary>Creates a trainer; the options (defaults when null) are validated at once.</summary>
    /// <inheritdoc cref="AdversarialTrainer{TModel, TOptions}.AdversarialTrainer(TOptions, ILogger)" path="/param"/>
    public ExpertTrainer(ExpertTrainingOptions? options = null, ILogger? logger = null)
        : base(options, logger)
    {
    }

    /// <inheritdoc />
    private protected override TrainingSetup Prepare(IExpert model, BatchLoader loader)
    {
        var module = model.Module;
        var optimizer = Sgd.Create(module.parameters(), Options.Optimizer);
        return new TrainingSetup
        {
            Phase = $"expert:{model.Name}",
            Module = module,
            Optimizers = [(optimizer, Options.Optimizer)],
            Step = (batch, generator, stats) => Step(module, optimizer, batch, generator, stats),
        };
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

        if (Options.Attack is not { } attack)
        {
            stats.AddClean(Update(model, optimizer, x, y, stats), y);
            return;
        }

        var adversarial = attack.Perturb(model, x, y, generator); // eval mode inside, train mode restored
        if (Options.MixCleanWithAdversarial)
        {
            var logits = Update(model, optimizer, cat(new[] { x, adversarial }), cat(new[] { y, y }), stats);
            stats.AddClean(logits.narrow(0, 0, n), y);
            stats.AddAdversarial(logits.narrow(0, n, n), y);
            return;
        }

        stats.AddAdversarial(Update(model, optimizer, adversarial, y, stats), y);
        MeasureClean(model, x, y, stats);
    }

    /// <summary>One SGD step on the cross-entropy of <paramref name="inputs"/>; returns their logits (train mode).</summary>
    private Tensor Update(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, Tensor inputs, Tensor targets, BatchStats stats)
    {
        optimizer.zero_grad();
        var logits = model.call(inputs);
        var loss = nn.functional.cross_entropy(logits, targets, label_smoothing: Options.LabelSmoothing);
        loss.backward();
        optimizer.step();
        stats.AddLoss(loss, inputs.shape[0]);
        return logits;
    }

    /// <summary>TRADES: x′ from the attack (eval mode), then CE(f(x), y) + β·KL(p(x) ‖ p(x′)) with both passes in train mode, as the reference does.</summary>
    private void TradesStep(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, Tensor x, Tensor y, Generator generator, BatchStats stats)
    {
        var adversarial = Options.Attack!.Perturb(model, x, y, generator);
        optimizer.zero_grad();
        var clean = model.call(x);
        var attacked = model.call(adversarial);
        var loss = TrainingObjective.TradesLoss(clean, attacked, y, Options.Objective.Beta, Options.LabelSmoothing);
        loss.backward();
        optimizer.step();
        stats.AddLoss(loss, y.shape[0]);
        stats.AddClean(clean, y);
        stats.AddAdversarial(attacked, y);
    }

    /// <summary>Clean accuracy of an adversarial-only step, in eval mode on the batch's first <see cref="ExpertTrainingOptions.CleanAccuracySample"/> images.</summary>
    private void MeasureClean(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, BatchStats stats)
    {
        long k = Math.Min(Options.CleanAccuracySample, x.shape[0]);
        if (k == 0)
        {
            return;
        }

        using var evalMode = EvalModeScope.Enter(model);
        using var noGrad = no_grad();
        stats.AddClean(model.call(x.narrow(0, 0, k)), y.narrow(0, 0, k));
    }
}
