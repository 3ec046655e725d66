using static TorchSharp.torch;
using Dwf.Robustness.Defaults;

namespace Dwf.Robustness.Attacks;

/// <summary>
/// Projected Gradient Descent (Madry et al., 2018) under L∞ or L2: optional uniform random start in the ε-ball, then
/// <see cref="Steps"/> steepest-ascent steps of length <see cref="StepSize"/> in the threat model's norm (L∞: the
/// signed gradient; L2: the gradient scaled to that length), each projected back onto the ε-ball and [0,1]. With <see cref="KeepBest"/> (the default) the result is the per-sample best iterate over every step and
/// restart (<see cref="BestTracker"/>): a misclassifying (for targeted: target-hitting) point over one that is not,
/// otherwise the one with the higher objective. Without it, each restart's last iterate competes (the classic
/// form, which the training attacks use).
/// </summary>
public sealed class Pgd : AttackBase
{
    private readonly string? _displayName;

    /// <summary>Creates a PGD attack. Defaults are the usual CIFAR-10 ones (ours; the paper does not give PGD's ε or step).</summary>
    /// <param name="epsilon">Budget in [0,1] units in the norm of <paramref name="threatModel"/>; default 8/255 (L∞).</param>
    /// <param name="stepSize">Step α in [0,1] units, in the same norm; default 2/255 (for L2 at ε = 0.5 a usual choice is ε/4).</param>
    /// <param name="steps">Iterations; default 10.</param>
    /// <param name="randomStart">Start from a uniform random point in the ε-ball; default true.</param>
    /// <param name="restarts">Independent runs, keeping the per-sample worst case; default 1.</param>
    /// <param name="loss">Objective; cross-entropy by default.</param>
    /// <param name="targeted">Whether labels are target classes.</param>
    /// <param name="keepBest">Return the best iterate seen rather than the last; default true (one extra forward per restart).</param>
    /// <param name="threatModel">The norm of the ball and of the step; L∞ by default.</param>
    public Pgd(
        double epsilon = PaperDefaults.PgdEpsilon,
        double stepSize = OurDefaults.PgdStepSize,
        int steps = 10,
        bool randomStart = true,
        int restarts = 1,
        AttackLoss loss = AttackLoss.CrossEntropy,
        bool targeted = false,
        bool keepBest = true,
        ThreatModel threatModel = ThreatModel.Linf)
        : this(epsilon, stepSize, steps, randomStart, restarts, loss, targeted, keepBest, null, threatModel)
    {
    }

    private Pgd(double epsilon, double stepSize, int steps, bool randomStart, int restarts, AttackLoss loss, bool targeted, bool keepBest, string? displayName, ThreatModel threatModel)
        : base(epsilon, loss, targeted, threatModel)
    {
        if (!double.IsFinite(stepSize) || stepSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "The PGD step size must be finite and > 0 (in [0,1] pixel units, e.g. 2/255).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(restarts, 1);
        StepSize = stepSize;
        Steps = steps;
        RandomStart = randomStart;
        Restarts = restarts;
        KeepBest = keepBest;
        _displayName = displayName;
    }

    /// <summary>Whether the best iterate (over steps and restarts) is returned rather than the last.</summary>
    public bool KeepBest { get; }

    /// <inheritdoc />
    public override AttackDescriptor Descriptor => new(AttackFamily.Pgd, ThreatModel, Epsilon, Steps, Restarts, Loss, Targeted);

    /// <inheritdoc />
    protected internal override IEnumerable<KeyValuePair<string, string>> Settings() =>
        base.Settings().Concat(
        [
            new("stepSize", AttackFingerprint.Exact(StepSize)),
            new("steps", Steps.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("randomStart", RandomStart ? "true" : "false"),
            new("restarts", Restarts.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ]).Concat(KeepBest ? [new KeyValuePair<string, string>("keepBest", "true")] : []); // absent for the last iterate, as before keepBest existed

    /// <summary>Step size α in [0,1] units.</summary>
    public double StepSize { get; }

    /// <summary>Iterations per restart.</summary>
    public int Steps { get; }

    /// <summary>Whether each restart starts from a uniform random point in the ε-ball.</summary>
    public bool RandomStart { get; }

    /// <summary>Independent restarts.</summary>
    public int Restarts { get; }

    /// <inheritdoc />
    public override string Name =>
        (_displayName ?? $"PGD-{Steps}") +
        $"(ε={Format(Epsilon)}, α={Format(StepSize)}" +
        (Restarts > 1 ? $", restarts={Restarts}" : "") +
        (RandomStart ? "" : ", no random start") +
        (Loss == AttackLoss.CarliniWagnerMargin ? ", CW" : "") +
        (Targeted ? ", targeted" : "") +
        (ThreatModel == ThreatModel.Linf ? "" : $", {ThreatModel}") + ")";

    /// <summary>
    /// FGSM from a uniform random start with step 1.25·ε ("fast adversarial training", Wong, Rice and Kolter, 2020):
    /// one gradient per example, a cheap stand-in for multi-step PGD when training experts.
    /// </summary>
    /// <param name="epsilon">L∞ budget in [0,1] units.</param>
    /// <param name="stepFactor">Step as a multiple of ε; 1.25 in the original.</param>
    /// <returns>A one-step PGD with random start, named <c>FGSM-RS</c>.</returns>
    public static Pgd FastFgsm(double epsilon, double stepFactor = 1.25) =>
        !double.IsFinite(stepFactor) || stepFactor <= 0
            ? throw new ArgumentOutOfRangeException(nameof(stepFactor), stepFactor, "The step factor must be finite and > 0 (1.25 in the original fast adversarial training).")
            : new(epsilon, Math.Max(stepFactor * epsilon, double.Epsilon), 1, true, 1, AttackLoss.CrossEntropy, false, false, "FGSM-RS", ThreatModel.Linf);

    /// <summary>A copy with another iteration count (used by the randomized-steps attack).</summary>
    /// <param name="steps">Iterations.</param>
    public Pgd WithSteps(int steps) => new(Epsilon, StepSize, steps, RandomStart, Restarts, Loss, Targeted, KeepBest, _displayName, ThreatModel);

    /// <inheritdoc />
    protected override Tensor Attack(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator? generator) =>
        Attack(model, images, labels, generator, AttackSteps.None);

    /// <inheritdoc />
    protected override Tensor Attack(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator? generator, AttackSteps steps)
    {
        steps.Plan((long)Steps * Restarts);
        if (Restarts == 1 && !KeepBest)
        {
            return Run(model, images, labels, generator, null, steps);
        }

        using var tracker = new BestTracker(images, labels, hitMeansTarget: Targeted);
        for (int r = 0; r < Restarts; r++)
        {
            using var restart = NewDisposeScope();
            var last = Run(model, images, labels, generator, KeepBest ? tracker : null, steps);
            using (no_grad())
            {
                var logits = model.call(last);
                var objective = Objective(logits, labels);
                tracker.Update(last, Targeted ? -objective : objective, logits);
            }
        }

        return tracker.Best.clone();
    }

    /// <summary>One restart; every iterate before the last is offered to <paramref name="tracker"/> when given.</summary>
    private Tensor Run(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator? generator, BestTracker? tracker, AttackSteps steps) =>
        ProjectedAscent.Run(Start(images, generator), images, Ball, Epsilon, StepSize, Steps, adversarial => Ascent(model, adversarial, labels), steps, tracker);

    private Tensor Start(Tensor images, Generator? generator)
    {
        if (!RandomStart || Epsilon == 0)
        {
            return images.clone();
        }

        return Ball.RandomStart(images, Epsilon, generator);
    }
}
