using System.Globalization;
using static TorchSharp.torch;
using Dwf.Robustness.Defaults;

namespace Dwf.Robustness.Attacks;

/// <summary>
/// Auto-PGD under L∞ or L2 (Croce and Hein, "Reliable evaluation of adversarial robustness with an ensemble of diverse
/// parameter-free attacks", ICML 2020). Starts at a random point on the surface of the ε-ball
/// (<see cref="Norms.NormBall.SurfaceStart"/>) with step 2ε; every step takes a steepest-ascent step in the threat
/// model's norm (L∞: signed gradient; L2: normalized gradient) and mixes it with the previous move (momentum α = 0.75). At checkpoints
/// (the first after 22% of the iterations, then at intervals shrinking by 3% down to 6%) a sample's step is
/// halved and it restarts from its best point when fewer than ρ = 0.75 of the steps since the last checkpoint
/// raised its loss, or when its step was not halved last time and its best loss has not improved since. The result
/// is per sample the first misclassifying point found, else the highest-loss point (an image misclassified when
/// clean is returned unchanged). Restarts (and, for APGD-T, target classes) run only on the images still
/// classified correctly.
/// </summary>
/// <remarks>
/// <para>APGD-CE is <c>new Apgd(ε)</c>; APGD-DLR is <c>new Apgd(ε, loss: AttackLoss.DifferenceOfLogitsRatio)</c>;
/// APGD-T is <see cref="TargetedDlr(double, int, int, int, ThreatModel)"/>: the targeted DLR loss towards each of the
/// <see cref="TargetClasses"/> highest-scoring wrong classes of the clean logits in turn.</para>
/// <para>One difference from the reference code: the first checkpoint compares the first step's loss with the
/// starting point's loss, where the reference compares it with an unset entry of its loss history (0).</para>
/// </remarks>
public sealed class Apgd : AttackBase
{
    /// <summary>The momentum weight α of the reference.</summary>
    public const double Momentum = 0.75;

    /// <summary>The share ρ of loss increases below which the step is halved.</summary>
    public const double Rho = 0.75;

    /// <summary>Creates an untargeted APGD attack.</summary>
    /// <param name="epsilon">Budget in [0,1] units in the norm of <paramref name="threatModel"/>; default 8/255 (L∞).</param>
    /// <param name="steps">Iterations per restart; default 100 (AutoAttack's).</param>
    /// <param name="restarts">Restarts, each on the images still robust; default 1 (AutoAttack standard).</param>
    /// <param name="loss">Cross-entropy (APGD-CE, default), DLR or the CW margin.</param>
    /// <param name="threatModel">L∞ (default) or L2 (AutoAttack's CIFAR-10 L2 budget is 0.5).</param>
    public Apgd(double epsilon = PaperDefaults.PgdEpsilon, int steps = AutoAttackDefaults.ApgdSteps, int restarts = 1, AttackLoss loss = AttackLoss.CrossEntropy,
        ThreatModel threatModel = ThreatModel.Linf)
        : this(epsilon, steps, restarts, loss, 0, threatModel)
    {
        if (loss == AttackLoss.TargetedDifferenceOfLogitsRatio)
        {
            throw new ArgumentException("For the targeted DLR loss use Apgd.TargetedDlr, which chooses the targets.", nameof(loss));
        }
    }

    private Apgd(double epsilon, int steps, int restarts, AttackLoss loss, int targetClasses, ThreatModel threatModel)
        : base(epsilon, loss, targeted: false, threatModel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(restarts, 1);
        Steps = steps;
        Restarts = restarts;
        TargetClasses = targetClasses;
    }

    /// <summary>
    /// APGD-T: the targeted DLR loss towards each of the <paramref name="targetClasses"/> highest-scoring wrong
    /// classes of the clean logits in turn (AutoAttack standard: 9), each on the images still robust.
    /// </summary>
    /// <param name="epsilon">Budget in [0,1] units in the norm of <paramref name="threatModel"/>.</param>
    /// <param name="targetClasses">Target classes tried per image; at most the class count − 1 (checked per call).</param>
    /// <param name="steps">Iterations per target and restart; default 100.</param>
    /// <param name="restarts">Restarts per target; default 1.</param>
    /// <param name="threatModel">L∞ (default) or L2.</param>
    /// <returns>The attack. Labels passed to <c>Perturb</c> are the true labels.</returns>
    public static Apgd TargetedDlr(double epsilon = PaperDefaults.PgdEpsilon, int targetClasses = AutoAttackDefaults.StandardTargets, int steps = AutoAttackDefaults.ApgdSteps, int restarts = 1,
        ThreatModel threatModel = ThreatModel.Linf)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(targetClasses, 1);
        return new Apgd(epsilon, steps, restarts, AttackLoss.TargetedDifferenceOfLogitsRatio, targetClasses, threatModel);
    }

    /// <summary>Iterations per restart.</summary>
    public int Steps { get; }

    /// <summary>Restarts (per target class for APGD-T).</summary>
    public int Restarts { get; }

    /// <summary>Target classes tried (APGD-T), 0 for the untargeted attack.</summary>
    public int TargetClasses { get; }

    /// <inheritdoc />
    public override AttackDescriptor Descriptor =>
        new(AttackFamily.Apgd, ThreatModel, Epsilon, Steps, Restarts, Loss, TargetClasses > 0, TargetClasses);

    /// <summary>The iterations after which the step-size rule is checked, for <paramref name="steps"/> iterations (1-based counts).</summary>
    /// <param name="steps">Iterations.</param>
    /// <returns>Ascending iteration counts.</returns>
    public static IReadOnlyList<int> Checkpoints(int steps)
    {
        int first = Math.Max((int)(0.22 * steps), 1), minimum = Math.Max((int)(0.06 * steps), 1), decrease = Math.Max((int)(0.03 * steps), 1);
        var list = new List<int>();
        for (int at = first, k = first; at <= steps; k = Math.Max(k - decrease, minimum), at += k)
        {
            list.Add(at);
        }

        return list;
    }

    /// <inheritdoc />
    protected internal override IEnumerable<KeyValuePair<string, string>> Settings() =>
        base.Settings().Concat(
        [
            new("steps", Steps.ToString(CultureInfo.InvariantCulture)),
            new("restarts", Restarts.ToString(CultureInfo.InvariantCulture)),
            new("targetClasses", TargetClasses.ToString(CultureInfo.InvariantCulture)),
            new("momentum", AttackFingerprint.Exact(Momentum)),
            new("rho", AttackFingerprint.Exact(Rho)),
        ]);

    /// <inheritdoc />
    protected override Tensor Attack(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator? generator) =>
        Attack(model, images, labels, generator, AttackSteps.None);

    /// <inheritdoc />
    protected override Tensor Attack(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator? generator, AttackSteps steps)
    {
        steps.Plan((long)Steps * Restarts * Math.Max(TargetClasses, 1));
        using var tracker = new BestTracker(images, labels);
        Tensor? ranked = null;
        using (no_grad())
        {
            // One clean forward: images misclassified already need no attack (each is its own adversarial example),
            // and APGD-T ranks its target classes on these logits.
            var clean = model.call(images);
            tracker.Update(images, full(images.shape[0], double.NegativeInfinity, device: images.device), clean);
            if (TargetClasses > 0)
            {
                if (TargetClasses >= clean.shape[1])
                {
                    throw new ArgumentException($"APGD-T with {TargetClasses} target classes needs more than {TargetClasses} classes; the model has {clean.shape[1]}.", nameof(model));
                }

                ranked = clean.argsort(1, descending: true);
            }
        }

        int rounds = Math.Max(TargetClasses, 1);
        for (int round = 0; round < rounds * Restarts; round++)
        {
            using var scope = NewDisposeScope();
            var active = tracker.Success.logical_not().nonzero().squeeze(1); // one host sync per restart, not per step
            if (active.shape[0] == 0)
            {
                break;
            }

            var x = images.index_select(0, active);
            var y = labels.index_select(0, active);
            // The (t+2)-th highest clean logit: the best wrong class first (the top one is the true class for an image still robust).
            var target = ranked?.index_select(0, active)[.., round / Restarts + 1];
            var (found, score, hit) = Run(model, x, y, target, generator, steps);
            tracker.Offer(active, found, score, hit);
        }

        return tracker.Best.clone();
    }

    /// <summary>
    /// One APGD run; per sample the first misclassifying point, else the highest-loss point, with its loss and
    /// whether it misclassifies.
    /// </summary>
    private (Tensor Point, Tensor Score, Tensor Hit) Run(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, Tensor? target, Generator? generator, AttackSteps steps)
    {
        long n = x.shape[0];
        var view = new long[] { n, 1, 1, 1 };
        Func<Tensor, Tensor> objective = logits => AttackObjectives.PerSample(Loss, logits, y, target);

        var adversarial = Ball.SurfaceStart(x, Epsilon, generator);
        var (loss, logits, gradient) = LossAndGradient.Compute(model, adversarial, objective);

        // The state lives in the caller's scope and is updated in place: nothing grows with the step count, and no
        // step synchronizes with the host.
        var hit = logits.argmax(1).ne(y);
        var found = where(hit.view(-1, 1, 1, 1), adversarial, x);
        var best = adversarial.clone();
        var bestGradient = gradient.clone();
        var bestLoss = loss.clone();
        var bestLossAtCheck = bestLoss.clone();
        var reducedAtCheck = ones(n, dtype: ScalarType.Bool, device: x.device);
        var increases = zeros(n, dtype: loss.dtype, device: x.device);
        var previousLoss = loss.clone();
        var step = full(view, 2 * Epsilon, dtype: x.dtype, device: x.device);
        var previous = adversarial.clone();

        var checkpoints = new HashSet<int>(Checkpoints(Steps));
        int sinceCheck = 0;
        for (int i = 0; i < Steps; i++)
        {
            steps.Next();
            using var iteration = NewDisposeScope();
            var z = Project(adversarial + Ball.SteepestStep(gradient, step), x);
            double a = i == 0 ? 1.0 : Momentum;
            var next = Project(adversarial + a * (z - adversarial) + (1 - a) * (adversarial - previous), x);
            previous.copy_(adversarial);

            var now = LossAndGradient.Compute(model, next, objective);
            var nowHit = now.Logits.argmax(1).ne(y);
            found.copy_(where((nowHit & hit.logical_not()).view(-1, 1, 1, 1), next, found));
            hit.copy_(hit | nowHit);

            increases.add_(now.Loss.gt(previousLoss).to(increases.dtype));
            previousLoss.copy_(now.Loss);
            var improved = now.Loss.gt(bestLoss);
            best.copy_(where(improved.view(-1, 1, 1, 1), next, best));
            bestGradient.copy_(where(improved.view(-1, 1, 1, 1), now.Gradient, bestGradient));
            bestLoss.copy_(where(improved, now.Loss, bestLoss));
            adversarial.copy_(next);
            gradient.copy_(now.Gradient);
            sinceCheck++;

            if (checkpoints.Contains(i + 1))
            {
                var oscillating = increases.le(sinceCheck * Rho);
                var stalled = reducedAtCheck.logical_not() & bestLossAtCheck.ge(bestLoss);
                var reduce = oscillating | stalled;
                var reduce4 = reduce.view(-1, 1, 1, 1);
                reducedAtCheck.copy_(reduce);
                bestLossAtCheck.copy_(bestLoss);
                step.copy_(where(reduce4, step / 2, step));
                adversarial.copy_(where(reduce4, best, adversarial));
                gradient.copy_(where(reduce4, bestGradient, gradient));
                increases.zero_();
                sinceCheck = 0;
            }
        }

        return (where(hit.view(-1, 1, 1, 1), found, best), bestLoss, hit);
    }
}
