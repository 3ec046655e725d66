using static TorchSharp.torch;
using Dwf.Robustness.Defaults;

namespace Dwf.Robustness.Attacks;

/// <summary>
/// TRADES's inner maximization (Zhang et al., 2019): from x + 0.001·𝒩(0, I), <see cref="Steps"/> signed-gradient
/// steps of size <see cref="StepSize"/> ascending KL(p(x) ‖ p(x′)) — the divergence of the prediction on x′ from the
/// prediction on the clean image, whatever the label — each projected onto the ε-ball and [0,1]. Labels are checked
/// but not used. It is the attack <see cref="Training.TrainingObjective.Trades"/> trains against; for evaluation use a
/// label-based attack (<see cref="Pgd"/>, <see cref="Apgd"/>).
/// </summary>
public sealed class TradesAttack : AttackBase
{
    /// <summary>The standard deviation of TRADES's Gaussian start (the reference implementation's 0.001).</summary>
    public const double StartNoise = 0.001;

    /// <summary>Creates the attack (defaults: TRADES's CIFAR-10 ε 8/255, step 2/255, 10 steps).</summary>
    /// <param name="epsilon">L∞ budget in [0,1] units.</param>
    /// <param name="stepSize">Step α in [0,1] units (finite, &gt; 0).</param>
    /// <param name="steps">Iterations (≥ 1).</param>
    public TradesAttack(double epsilon = PaperDefaults.PgdEpsilon, double stepSize = OurDefaults.PgdStepSize, int steps = 10)
        : base(epsilon, AttackLoss.KullbackLeibler, targeted: false)
    {
        if (!double.IsFinite(stepSize) || stepSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "The step size must be finite and > 0 (in [0,1] pixel units, e.g. 2/255).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        StepSize = stepSize;
        Steps = steps;
    }

    /// <summary>Step α in [0,1] units.</summary>
    public double StepSize { get; }

    /// <summary>Iterations.</summary>
    public int Steps { get; }

    /// <inheritdoc />
    public override AttackDescriptor Descriptor => new(AttackFamily.Trades, ThreatModel.Linf, Epsilon, Steps, 1, Loss, false);

    /// <inheritdoc />
    public override string Name => $"TRADES-KL-{Steps}(ε={Format(Epsilon)}, α={Format(StepSize)})";

    /// <inheritdoc />
    protected internal override IEnumerable<KeyValuePair<string, string>> Settings() =>
        base.Settings().Concat(
        [
            new("stepSize", AttackFingerprint.Exact(StepSize)),
            new("steps", Steps.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("start", "gaussian-0.001"),
        ]);

    /// <summary>KL(p ‖ q) per sample from clean log-probabilities and candidate logits.</summary>
    /// <param name="cleanLogProbabilities">[B,K] log p(x), detached.</param>
    /// <param name="logits">[B,K] logits at x′.</param>
    /// <returns>[B] Σₖ p(x)ₖ (log p(x)ₖ − log p(x′)ₖ).</returns>
    public static Tensor KlPerSample(Tensor cleanLogProbabilities, Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(cleanLogProbabilities);
        ArgumentNullException.ThrowIfNull(logits);
        using var scope = NewDisposeScope();
        var logQ = nn.functional.log_softmax(logits, 1);
        return (cleanLogProbabilities.exp() * (cleanLogProbabilities - logQ)).sum(1).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override Tensor Attack(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator? generator) =>
        Attack(model, images, labels, generator, AttackSteps.None);

    /// <inheritdoc />
    protected override Tensor Attack(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator? generator, AttackSteps steps)
    {
        steps.Plan(Steps);
        Tensor clean;
        using (no_grad())
        {
            clean = nn.functional.log_softmax(model.call(images), 1).detach();
        }

        var start = ProjectedAscent.GaussianStart(images, Ball, Epsilon, generator);
        return ProjectedAscent.Run(start, images, Ball, Epsilon, StepSize, Steps,
            adversarial => LossAndGradient.Compute(model, adversarial, logits => KlPerSample(clean, logits)), steps);
    }
}
