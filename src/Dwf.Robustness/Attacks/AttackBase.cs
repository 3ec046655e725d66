using System.Globalization;
using Dwf.Robustness.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace Dwf.Robustness.Attacks;

/// <summary>
/// The machinery every gradient attack shares: argument guards, eval mode set and restored in <c>finally</c>,
/// gradients enabled even under <c>no_grad</c>, the input gradient via <c>torch.autograd.grad</c> on the input
/// only, projection onto the ε-ball and [0,1], one dispose scope per call, and the input checks — done once per
/// <c>Perturb</c> (labels against the model's class count on the attack's own first forward pass, through
/// <see cref="ClassCountGuard"/>), never per step. Subclasses implement <c>Attack</c> (and, to be cancellable per step, its overload with <see cref="AttackSteps"/>) and <see cref="Descriptor"/>.
/// </summary>
public abstract class AttackBase : IAttack
{
    /// <summary>Validates and stores the options shared by gradient attacks.</summary>
    /// <param name="epsilon">Budget in [0,1] pixel units, in the norm of <paramref name="threatModel"/>.</param>
    /// <param name="loss">Objective to ascend (or descend when targeted).</param>
    /// <param name="targeted">Whether labels passed to <c>Perturb</c> are target classes.</param>
    /// <param name="threatModel">The norm bounding the perturbation; L∞ by default.</param>
    protected AttackBase(double epsilon, AttackLoss loss, bool targeted, ThreatModel threatModel = ThreatModel.Linf)
    {
        Ball = Norms.NormBall.For(threatModel);
        Ball.CheckEpsilon(epsilon, nameof(epsilon));
        if (!Enum.IsDefined(loss))
        {
            throw new ArgumentOutOfRangeException(nameof(loss), loss, $"Unknown loss; use one of {string.Join(", ", Enum.GetNames<AttackLoss>())}.");
        }

        Epsilon = epsilon;
        Loss = loss;
        Targeted = targeted;
    }

    /// <summary>The norm bounding the perturbation.</summary>
    public ThreatModel ThreatModel => Ball.ThreatModel;

    /// <summary>The geometry of <see cref="ThreatModel"/>: projection, random start and steepest step.</summary>
    protected Norms.NormBall Ball { get; }

    /// <summary>Budget in [0,1] pixel units, in the norm of <see cref="ThreatModel"/>.</summary>
    public double Epsilon { get; }

    /// <summary>The objective.</summary>
    public AttackLoss Loss { get; }

    /// <summary>True when labels are target classes and the attack descends the loss towards them.</summary>
    public bool Targeted { get; }

    /// <inheritdoc />
    public virtual string Name => Descriptor.DisplayName;

    /// <inheritdoc />
    public abstract AttackDescriptor Descriptor { get; }

    /// <inheritdoc />
    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator? generator = null) =>
        Perturb(model, images, labels, generator, CancellationToken.None, null);

    /// <inheritdoc />
    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator? generator, CancellationToken cancellationToken,
        IProgress<AttackProgress>? progress)
    {
        ArgumentNullException.ThrowIfNull(model);
        InputGuards.CheckImagesAndLabels(images, labels);
        InputGuards.CheckMatchesModel(images, model);
        using var scope = NewDisposeScope();
        using var evalMode = EvalModeScope.Enter(model); // safe when several threads attack one model
        using var gradEnabled = enable_grad();
        var x = images.detach();
        long largestLabel;
        using (var largest = labels.max())
        {
            largestLabel = largest.item<long>();
        }

        using var guarded = new ClassCountGuard(model, largestLabel, AttackObjectives.MinimumClasses(Loss), Name);
        var adversarial = Attack(guarded, x, labels, generator, new AttackSteps(cancellationToken, progress));
        return adversarial.detach().to(images.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Runs the attack. Called inside a dispose scope, in eval mode, with gradients enabled, after the inputs were
    /// validated. Return the adversarial images; they are detached and moved out of the scope by the caller.
    /// </summary>
    /// <param name="model">The model, in eval mode.</param>
    /// <param name="images">Detached clean images.</param>
    /// <param name="labels">True or target labels.</param>
    /// <param name="generator">Random source, or null for torch's global generator.</param>
    protected abstract Tensor Attack(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator? generator);

    /// <summary>
    /// <see cref="Attack(nn.Module{Tensor, Tensor}, Tensor, Tensor, Generator?)"/> with a step hook: an iterative
    /// attack overrides this and calls <see cref="AttackSteps.Next"/> once per iteration, so that a long attack can
    /// be cancelled and shows progress. The default ignores the hook.
    /// </summary>
    /// <param name="model">The model, in eval mode.</param>
    /// <param name="images">Detached clean images.</param>
    /// <param name="labels">True or target labels.</param>
    /// <param name="generator">Random source, or null for torch's global generator.</param>
    /// <param name="steps">Cancellation and progress, one call per step.</param>
    protected virtual Tensor Attack(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator? generator, AttackSteps steps) =>
        Attack(model, images, labels, generator);

    /// <summary>
    /// The gradient of the attack objective with respect to <paramref name="adversarial"/> only: the direction
    /// that makes the attack stronger (the loss gradient, negated for targeted attacks). Parameter gradients are
    /// not touched.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="adversarial">Current adversarial images.</param>
    /// <param name="labels">True or target labels.</param>
    /// <returns>A tensor shaped like <paramref name="adversarial"/>.</returns>
    protected Tensor AscentDirection(nn.Module<Tensor, Tensor> model, Tensor adversarial, Tensor labels) =>
        Ascent(model, adversarial, labels).Gradient;

    /// <summary>
    /// One forward/backward at <paramref name="adversarial"/>: the attacker's score per sample (the objective,
    /// negated for targeted attacks), the logits, and the score's input gradient.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="adversarial">Current adversarial images.</param>
    /// <param name="labels">True or target labels.</param>
    /// <returns>Score, logits and gradient, detached.</returns>
    protected LossAndGradient Ascent(nn.Module<Tensor, Tensor> model, Tensor adversarial, Tensor labels) =>
        LossAndGradient.Compute(model, adversarial, logits => Targeted ? -Objective(logits, labels) : Objective(logits, labels));

    /// <summary>Per-sample objective the attack maximizes (untargeted) or whose loss it minimizes (targeted).</summary>
    /// <param name="logits">[B,K].</param>
    /// <param name="labels">[B].</param>
    /// <returns>[B] loss values (higher = further from the label for untargeted attacks).</returns>
    protected Tensor Objective(Tensor logits, Tensor labels) => AttackObjectives.PerSample(Loss, logits, labels);

    /// <summary>Moves <paramref name="adversarial"/> onto the ε-ball of <see cref="ThreatModel"/> around <paramref name="images"/> and into [0,1].</summary>
    /// <param name="adversarial">Candidate images.</param>
    /// <param name="images">Clean images.</param>
    /// <returns>A new tensor.</returns>
    protected Tensor Project(Tensor adversarial, Tensor images) => Ball.Project(adversarial, images, Epsilon);

    /// <summary>
    /// Every setting of the attack at full precision, culture-invariant, in a fixed order: what checkpoint
    /// fingerprints compare. A subclass with settings of its own appends them to the base's.
    /// </summary>
    /// <returns>Name–value pairs.</returns>
    protected internal virtual IEnumerable<KeyValuePair<string, string>> Settings() =>
    [
        new("epsilon", AttackFingerprint.Exact(Epsilon)),
        new("loss", Loss.ToString()),
        new("targeted", Targeted ? "true" : "false"),
        .. ThreatModel == ThreatModel.Linf ? Array.Empty<KeyValuePair<string, string>>() : [new("threatModel", ThreatModel.ToString())], // absent for L∞, as before other norms existed
    ];

    /// <summary>Formats a number for <see cref="Name"/>.</summary>
    /// <param name="value">The value.</param>
    protected static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
