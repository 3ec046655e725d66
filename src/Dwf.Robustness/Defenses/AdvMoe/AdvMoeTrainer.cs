using Dwf.Robustness.Attacks;
using Dwf.Robustness.Attacks.Norms;
using Dwf.Robustness.Data;
using Dwf.Robustness.Infrastructure;
using Dwf.Robustness.Training;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Dwf.Robustness.Defenses.AdvMoe;

/// <summary>
/// ADVMoE's router–expert alternating adversarial training, as its reference code's <c>train_moe.py</c>: on every
/// batch, (1) an expert step — x′ by <see cref="AdvMoeTrainingOptions.Steps"/>-step PGD on KL(model) + KL(router)
/// from x + 0.001·𝒩, then TRADES (CE + β·KL) on the backbone's parameters only; (2) a router step — x′ crafted again
/// against the updated experts, then α·CE(router(x), y mod E) + β·KL(router(x) ‖ router(x′)) on the router's
/// parameters only. Shares the library's training loop (checkpoints, exact resume, progress, logging).
/// </summary>
public sealed class AdvMoeTrainer : AdversarialTrainer<AdvMoeResNet18, AdvMoeTrainingOptions>
{
    /// <summary>Creates a trainer; the options (defaults when null) are validated at once.</summary>
    /// <inheritdoc cref="AdversarialTrainer{TModel, TOptions}.AdversarialTrainer(TOptions, ILogger)" path="/param"/>
    public AdvMoeTrainer(AdvMoeTrainingOptions? options = null, ILogger? logger = null)
        : base(options, logger)
    {
    }

    /// <summary>Two optimizers (the backbone's first, whose rate is reported; then the router's) and the alternating step; the loss reported is the expert step's TRADES loss.</summary>
    private protected override TrainingSetup Prepare(AdvMoeResNet18 model, BatchLoader loader)
    {
        var experts = Sgd.Create(model.Backbone.parameters(), Options.Experts);
        var router = Sgd.Create(model.Router.parameters(), Options.Router);
        return new TrainingSetup
        {
            Phase = "advmoe",
            Module = model,
            Optimizers = [(experts, Options.Experts), (router, Options.Router)],
            Step = (batch, generator, stats) =>
            {
                ExpertStep(model, experts, router, batch.Images, batch.Labels, generator, stats);
                RouterStep(model, experts, router, batch.Images, batch.Labels, generator);
            },
        };
    }

    /// <summary>The expert step: TRADES on the backbone only (the router's gradients are discarded).</summary>
    internal void ExpertStep(AdvMoeResNet18 model, optim.Optimizer experts, optim.Optimizer router, Tensor x, Tensor y, Generator? generator, BatchStats? stats)
    {
        var adversarial = Craft(model, x, generator);
        experts.zero_grad();
        router.zero_grad();
        var clean = model.call(x);
        var attacked = model.call(adversarial);
        var loss = TrainingObjective.TradesLoss(clean, attacked, y, Options.Beta);
        loss.backward();
        experts.step();
        router.zero_grad();
        if (stats is not null)
        {
            stats.AddLoss(loss, y.shape[0]);
            stats.AddClean(clean, y);
            stats.AddAdversarial(attacked, y);
        }
    }

    /// <summary>The router step: α·CE towards expert (y mod E) + β·KL between its clean and adversarial scores, on the router only.</summary>
    internal void RouterStep(AdvMoeResNet18 model, optim.Optimizer experts, optim.Optimizer router, Tensor x, Tensor y, Generator? generator)
    {
        var adversarial = Craft(model, x, generator);
        experts.zero_grad();
        router.zero_grad();
        var scores = model.Router.call(x);
        var attackedScores = model.Router.call(adversarial);
        var target = y.remainder(model.Experts);
        var kl = TradesAttack.KlPerSample(nn.functional.log_softmax(scores, 1), attackedScores).mean();
        var loss = Options.RouterAlpha * nn.functional.cross_entropy(scores, target) + Options.Beta * kl;
        loss.backward();
        router.step();
        experts.zero_grad();
    }

    /// <summary>x′: PGD on <see cref="Objective"/> (model and router in eval mode) from x + 0.001·𝒩(0, I), in the library's one ascent loop.</summary>
    internal Tensor Craft(AdvMoeResNet18 model, Tensor x, Generator? generator)
    {
        using var evalMode = EvalModeScope.Enter(model);
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        Tensor cleanLogP, cleanScoresLogP;
        using (no_grad())
        {
            cleanLogP = nn.functional.log_softmax(model.call(x), 1);
            cleanScoresLogP = nn.functional.log_softmax(model.Router.call(x), 1);
        }

        var ball = NormBall.For(ThreatModel.Linf);
        var start = ProjectedAscent.GaussianStart(x, ball, Options.Epsilon, generator);
        var adversarial = ProjectedAscent.Run(start, x, ball, Options.Epsilon, Options.StepSize, Options.Steps,
            input => Objective(model, input, cleanLogP, cleanScoresLogP), AttackSteps.None);
        return adversarial.detach().MoveToOuterDisposeScope();
    }

    /// <summary>ADVMoE's attack objective at <paramref name="adversarial"/>: KL(p(x) ‖ p(x′)) + KL(r(x) ‖ r(x′)) per image, r the router's scores, with its input gradient.</summary>
    private static LossAndGradient Objective(AdvMoeResNet18 model, Tensor adversarial, Tensor cleanLogP, Tensor cleanScoresLogP)
    {
        var input = adversarial.detach().requires_grad_(true);
        var scores = model.Router.call(input);
        var logits = model.ForwardWithScores(input, scores);
        var objective = TradesAttack.KlPerSample(cleanLogP, logits) + TradesAttack.KlPerSample(cleanScoresLogP, scores);
        var gradient = autograd.grad(new[] { objective.sum() }, new[] { input })[0];
        return new LossAndGradient(objective.detach(), logits.detach(), gradient);
    }
}
