using Dwf.Robustness.Attacks;
using Dwf.Robustness.Data;
using Dwf.Robustness.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace Dwf.Robustness.Defenses.AdvMoe;

/// <summary>
/// ADVMoE's router–expert alternating adversarial training, as its reference code's <c>train_moe.py</c>: on every
/// batch, (1) an expert step — x′ by <see cref="AdvMoeTrainingOptions.Steps"/>-step PGD on KL(model) + KL(router)
/// from x + 0.001·𝒩, then TRADES (CE + β·KL) on the backbone's parameters only; (2) a router step — x′ crafted again
/// against the updated experts, then α·CE(router(x), y mod E) + β·KL(router(x) ‖ router(x′)) on the router's
/// parameters only. Shares the library's training loop (checkpoints, exact resume, progress, logging).
/// </summary>
public sealed class AdvMoeTrainer
{
    private readonly ILogger _logger;

    /// <summary>Creates a trainer.</summary>
    /// <param name="options">Validated immediately; defaults when null.</param>
    /// <param name="logger">One line per epoch; <see cref="NullLogger"/> when null.</param>
    public AdvMoeTrainer(AdvMoeTrainingOptions? options = null, ILogger? logger = null)
    {
        Options = options ?? new AdvMoeTrainingOptions();
        Options.Validate();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The options in force.</summary>
    public AdvMoeTrainingOptions Options { get; }

    /// <summary>Trains <paramref name="model"/> in place; it is left in eval mode.</summary>
    /// <param name="model">The model, on the loader's device.</param>
    /// <param name="loader">Training batches.</param>
    /// <param name="checkpointPath">Checkpoint file (written every epoch and on cancellation, resumed when present), or null.</param>
    /// <param name="progress">Reported after every batch.</param>
    /// <param name="cancellationToken">Checked between batches; cancelling saves a checkpoint, then throws.</param>
    /// <returns>Per-epoch metrics (loss: the expert step's TRADES loss).</returns>
    public TrainingResult Fit(AdvMoeResNet18 model, BatchLoader loader, string? checkpointPath = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loader);
        using var experts = Sgd.Create(model.Backbone.parameters(), Options.Experts);
        using var router = Sgd.Create(model.Router.parameters(), Options.Router);
        var loop = new TrainingLoop
        {
            Phase = "advmoe",
            Model = model,
            Optimizers = [(experts, Options.Experts), (router, Options.Router)],
            Loader = loader,
            Epochs = Options.Epochs,
            Seed = Options.Seed,
            Fingerprint = OptionsFingerprint.Of(Options, "options"),
            CheckpointPath = checkpointPath,
            Progress = progress,
            Logger = _logger,
            Step = (batch, generator, stats) =>
            {
                ExpertStep(model, experts, router, batch.Images, batch.Labels, generator, stats);
                RouterStep(model, experts, router, batch.Images, batch.Labels, generator);
            },
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
            long n = y.shape[0];
            stats.LossSum += loss.item<float>() * n;
            stats.LossCount += n;
            stats.CleanCorrect += clean.detach().argmax(1).eq(y).sum().item<long>();
            stats.CleanCount += n;
            stats.AdversarialCorrect += attacked.detach().argmax(1).eq(y).sum().item<long>();
            stats.AdversarialCount += n;
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

    /// <summary>x′: PGD on KL(p(x) ‖ p(x′)) + KL(r(x) ‖ r(x′)) (model and router in eval mode) from x + 0.001·𝒩(0, I).</summary>
    internal Tensor Craft(AdvMoeResNet18 model, Tensor x, Generator? generator)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var grad = enable_grad();
            Tensor cleanLogP, cleanScoresLogP;
            using (no_grad())
            {
                cleanLogP = nn.functional.log_softmax(model.call(x), 1);
                cleanScoresLogP = nn.functional.log_softmax(model.Router.call(x), 1);
            }

            var noise = randn(x.shape, generator: generator).to(x.dtype).to(x.device);
            var adversarial = Project(x + TradesAttack.StartNoise * noise, x);
            for (int s = 0; s < Options.Steps; s++)
            {
                using var step = NewDisposeScope();
                var input = adversarial.detach().requires_grad_(true);
                var scores = model.Router.call(input);
                var logits = model.ForwardWithScores(input, scores);
                var objective = TradesAttack.KlPerSample(cleanLogP, logits).sum() + TradesAttack.KlPerSample(cleanScoresLogP, scores).sum();
                var gradient = autograd.grad(new[] { objective }, new[] { input })[0];
                var next = Project(input.detach() + Options.StepSize * gradient.sign(), x).MoveToOuterDisposeScope();
                adversarial.Dispose();
                adversarial = next;
            }

            return adversarial.detach().MoveToOuterDisposeScope();
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    private Tensor Project(Tensor candidate, Tensor x) =>
        minimum(maximum(candidate, x - Options.Epsilon), x + Options.Epsilon).clamp(0.0, 1.0);
}
