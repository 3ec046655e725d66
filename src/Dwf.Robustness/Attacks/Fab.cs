using System.Globalization;
using Dwf.Robustness.Attacks.Norms;
using Dwf.Robustness.Defaults;
using static TorchSharp.torch;

namespace Dwf.Robustness.Attacks;

/// <summary>
/// The Fast Adaptive Boundary attack (Croce and Hein, "Minimally distorted adversarial examples with a fast adaptive
/// boundary attack", ICML 2020), L∞ or L2. FAB looks for the smallest perturbation that changes the decision: at
/// every step it linearizes the decision boundary between the true class and a target class (FAB-T: each of the
/// <see cref="TargetClasses"/> highest-scoring other classes of the clean logits in turn; untargeted FAB: the closest
/// boundary), projects both the current point and the clean image onto that hyperplane inside the box
/// (<see cref="Norms.HyperplaneProjection"/>), and moves to a mix of the two projections biased towards the clean
/// image (weight at most α_max = 0.1), overshooting by η = 1.05. A point that changes the decision is kept when it
/// is the smallest so far, then pulled back towards the clean image by β = 0.9. An image counts as broken only when
/// its smallest adversarial point lies within ε: only those are returned; the others are returned unchanged, so the
/// result always lies in the ε-ball. Restarts after the first start from a random point at distance ε/2.
/// </summary>
public sealed class Fab : AttackBase
{
    /// <summary>α_max, the largest weight of the clean image's projection in a step.</summary>
    public const double AlphaMax = 0.1;

    /// <summary>η, the overshoot of each projection step.</summary>
    public const double Overshoot = 1.05;

    /// <summary>β, the pull towards the clean image after a point that changes the decision.</summary>
    public const double Backward = 0.9;

    /// <summary>Creates an untargeted FAB attack (the closest decision boundary at every step).</summary>
    /// <param name="epsilon">Budget in [0,1] units in the norm of <paramref name="threatModel"/>; default 8/255 (L∞).</param>
    /// <param name="steps">Iterations per restart; default 100 (AutoAttack's).</param>
    /// <param name="restarts">Restarts, each on the images still robust; default 1.</param>
    /// <param name="threatModel">L∞ (default) or L2.</param>
    public Fab(double epsilon = PaperDefaults.PgdEpsilon, int steps = AutoAttackDefaults.ApgdSteps, int restarts = 1, ThreatModel threatModel = ThreatModel.Linf)
        : this(epsilon, steps, restarts, 0, threatModel)
    {
    }

    private Fab(double epsilon, int steps, int restarts, int targetClasses, ThreatModel threatModel)
        : base(epsilon, AttackLoss.CarliniWagnerMargin, targeted: false, threatModel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(restarts, 1);
        Steps = steps;
        Restarts = restarts;
        TargetClasses = targetClasses;
    }

    /// <summary>
    /// FAB-T, as AutoAttack's standard version runs it: towards each of the <paramref name="targetClasses"/>
    /// highest-scoring wrong classes of the clean logits in turn (default 9), each on the images still robust.
    /// </summary>
    /// <param name="epsilon">Budget in [0,1] units in the norm of <paramref name="threatModel"/>.</param>
    /// <param name="targetClasses">Target classes tried per image; at most the class count − 1 (checked per call).</param>
    /// <param name="steps">Iterations per target and restart; default 100.</param>
    /// <param name="restarts">Restarts per target; default 1.</param>
    /// <param name="threatModel">L∞ (default) or L2.</param>
    /// <returns>The attack. Labels passed to <c>Perturb</c> are the true labels.</returns>
    public static Fab TowardsTargets(double epsilon = PaperDefaults.PgdEpsilon, int targetClasses = AutoAttackDefaults.StandardTargets, int steps = AutoAttackDefaults.ApgdSteps,
        int restarts = 1, ThreatModel threatModel = ThreatModel.Linf)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(targetClasses, 1);
        return new Fab(epsilon, steps, restarts, targetClasses, threatModel);
    }

    /// <summary>Iterations per restart (and target).</summary>
    public int Steps { get; }

    /// <summary>Restarts (per target class for FAB-T).</summary>
    public int Restarts { get; }

    /// <summary>Target classes tried (FAB-T), 0 for untargeted FAB.</summary>
    public int TargetClasses { get; }

    /// <inheritdoc />
    public override AttackDescriptor Descriptor =>
        new(AttackFamily.Fab, ThreatModel, Epsilon, Steps, Restarts, Loss, TargetClasses > 0, TargetClasses);

    /// <inheritdoc />
    protected internal override IEnumerable<KeyValuePair<string, string>> Settings() =>
        base.Settings().Concat(
        [
            new("steps", Steps.ToString(CultureInfo.InvariantCulture)),
            new("restarts", Restarts.ToString(CultureInfo.InvariantCulture)),
            new("targetClasses", TargetClasses.ToString(CultureInfo.InvariantCulture)),
            new("alphaMax", AttackFingerprint.Exact(AlphaMax)),
            new("eta", AttackFingerprint.Exact(Overshoot)),
            new("beta", AttackFingerprint.Exact(Backward)),
        ]);

    /// <inheritdoc />
    protected override Tensor Attack(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator? generator) =>
        Attack(model, images, labels, generator, AttackSteps.None);

    /// <inheritdoc />
    protected override Tensor Attack(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator? generator, AttackSteps steps)
    {
        steps.Plan((long)Steps * Restarts * Math.Max(TargetClasses, 1));
        var result = images.clone();
        Tensor robust, ranked;
        using (no_grad())
        {
            var clean = model.call(images);
            if (TargetClasses > 0 && TargetClasses >= clean.shape[1])
            {
                throw new ArgumentException($"FAB-T with {TargetClasses} target classes needs more than {TargetClasses} classes; the model has {clean.shape[1]}.", nameof(model));
            }

            robust = clean.argmax(1).eq(labels);
            ranked = clean.argsort(1, descending: true);
        }

        for (int round = 0; round < Math.Max(TargetClasses, 1) * Restarts; round++)
        {
            using var scope = NewDisposeScope();
            var active = robust.nonzero().squeeze(1); // one host sync per target and restart, not per step
            if (active.shape[0] == 0)
            {
                break;
            }

            var x = images.index_select(0, active);
            var y = labels.index_select(0, active);
            // The (t+2)-th highest clean logit: the best wrong class first (the top one is the true class of an image still robust).
            var target = TargetClasses > 0 ? ranked.index_select(0, active)[.., round / Restarts + 1] : null;
            var (found, size) = Run(model, x, y, target, round % Restarts > 0, generator, steps);
            var broken = size.le(Epsilon * (1 + 1e-6));
            result.index_copy_(0, active, where(broken.view(-1, 1, 1, 1), found, x));
            robust.index_copy_(0, active, broken.logical_not());
        }

        return result;
    }

    /// <summary>One FAB run: per image the smallest adversarial point found and its size (+∞ when none).</summary>
    private (Tensor Point, Tensor Size) Run(nn.Module<Tensor, Tensor> model, Tensor x0, Tensor y, Tensor? target, bool randomStart, Generator? generator, AttackSteps steps)
    {
        long n = x0.shape[0];
        var view = new long[] { n, 1, 1, 1 };
        var current = randomStart ? Ball.SurfaceStart(x0, 0.5 * Epsilon, generator) : x0.clone();
        var best = x0.clone();
        var bestSize = full(n, double.PositiveInfinity, dtype: ScalarType.Float64, device: x0.device);
        var flatClean = x0.flatten(1);
        for (int i = 0; i < Steps; i++)
        {
            steps.Next();
            using var iteration = NewDisposeScope();
            var (w, b) = Boundary(model, current, y, target);
            var toCurrent = HyperplaneProjection.Step(ThreatModel, current.flatten(1), w, b).view_as(current);
            var toClean = HyperplaneProjection.Step(ThreatModel, flatClean, w, b).view_as(current);
            var a1 = Ball.Norm(toCurrent).clamp_min(1e-8);
            var a2 = Ball.Norm(toClean).clamp_min(1e-8);
            var alpha = (a1 / (a1 + a2)).clamp(0, AlphaMax).view(view);
            var next = ((current + Overshoot * toCurrent) * (1 - alpha) + (x0 + Overshoot * toClean) * alpha).clamp(0.0, 1.0);

            Tensor adversarial;
            using (no_grad())
            {
                adversarial = model.call(next).argmax(1).ne(y);
            }

            var size = Ball.Norm(next - x0).to(ScalarType.Float64);
            var better = adversarial & size.lt(bestSize);
            best.copy_(where(better.view(view), next, best));
            bestSize.copy_(where(better, size, bestSize));
            current.copy_(where(adversarial.view(view), x0 + Backward * (next - x0), next));
        }

        return (best, bestSize);
    }

    /// <summary>
    /// The linearized boundary at <paramref name="x"/>: normal w [B,n] and offset b [B] of the hyperplane where the
    /// target's logit (FAB-T) or the closest other class's logit (FAB; distance |Δz|/‖∇Δz‖ in the dual norm) equals the
    /// true class's. For a model wrapped in <see cref="ExpectationOverTransformation"/> the logit differences and their
    /// gradients are means over its passes (expectation over transformation), and FAB's closest class is chosen on the means.
    /// </summary>
    private (Tensor Normal, Tensor Offset) Boundary(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, Tensor? target)
    {
        int samples = model is IGradientSamples g ? g.GradientSamples : 1;
        Tensor? differenceSum = null, gradientSum = null;
        for (int s = 0; s < samples; s++)
        {
            using var pass = NewDisposeScope();
            var (difference, gradient) = Linearize(model, x, y, target);
            var d = (differenceSum is null ? difference : differenceSum + difference).MoveToOuterDisposeScope();
            var w = (gradientSum is null ? gradient : gradientSum + gradient).MoveToOuterDisposeScope();
            differenceSum?.Dispose();
            gradientSum?.Dispose();
            (differenceSum, gradientSum) = (d, w);
        }

        var differences = samples == 1 ? differenceSum! : differenceSum! / samples;   // [B,K'] (K' = 1 for FAB-T)
        var gradients = samples == 1 ? gradientSum! : gradientSum! / samples;         // [B,K',n]
        Tensor chosenDifference, chosenGradient;
        if (target is not null)
        {
            chosenDifference = differences.squeeze(1);
            chosenGradient = gradients.squeeze(1);
        }
        else
        {
            var rows = arange(x.shape[0], device: x.device);
            var dual = ThreatModel == ThreatModel.Linf ? gradients.abs().sum(2) : gradients.square().sum(2).sqrt();
            var distance = differences.abs() / (dual + 1e-12);
            distance = distance.scatter(1, y.view(-1, 1), full_like(distance, double.PositiveInfinity).narrow(1, 0, 1));
            var closest = distance.argmin(1);
            chosenGradient = gradients[rows, closest];
            chosenDifference = differences[rows, closest];
        }

        var offset = (chosenGradient * x.flatten(1)).sum(1) - chosenDifference;
        return (chosenGradient.detach(), offset.detach());
    }

    /// <summary>One pass: logit differences to the true class [B,K'] and their input gradients [B,K',n], for the target (K' = 1) or every class.</summary>
    private static (Tensor Differences, Tensor Gradients) Linearize(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, Tensor? target)
    {
        var input = x.detach().requires_grad_(true);
        var logits = model.call(input);
        if (target is not null)
        {
            var delta = logits.gather(1, target.view(-1, 1)).squeeze(1) - logits.gather(1, y.view(-1, 1)).squeeze(1);
            var gradient = autograd.grad([delta.sum()], [input])[0].flatten(1);
            return (delta.detach().unsqueeze(1), gradient.detach().unsqueeze(1));
        }

        long classes = logits.shape[1];
        var deltas = logits - logits.gather(1, y.view(-1, 1));                  // [B,K], zero at the true class
        var gradients = new List<Tensor>();
        for (long k = 0; k < classes; k++)
        {
            gradients.Add(autograd.grad([deltas[.., k].sum()], [input], retain_graph: k < classes - 1, allow_unused: true)[0] is { } g && g.numel() > 0
                ? g.flatten(1) : zeros_like(x).flatten(1));
        }

        return (deltas.detach(), stack(gradients, 1).detach());
    }
}
