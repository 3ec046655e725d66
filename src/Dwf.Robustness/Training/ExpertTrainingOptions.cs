using Dwf.Robustness.Attacks;
using Dwf.Robustness.Defaults;

namespace Dwf.Robustness.Training;

/// <summary>Phase 1 of DWF: training one expert on its own.</summary>
public sealed record ExpertTrainingOptions : ITrainingOptions
{
    /// <summary>Epochs; the paper uses 150.</summary>
    public int Epochs { get; init; } = PaperDefaults.ExpertEpochs;

    /// <summary>Attack that crafts the training examples against the expert itself; null trains on clean images.
    /// The paper's choices are <see cref="PaperAttacks.RandomEpsilonFgsm"/> and <see cref="PaperAttacks.RandomStepsPgd"/>;
    /// <see cref="Pgd.FastFgsm"/> is the cheap alternative ("fast adversarial training").</summary>
    public IAttack? Attack { get; init; }

    /// <summary>When an attack is set: false (default) trains on purely adversarial batches; true on each batch's
    /// clean images together with their adversarial versions (twice the batch).</summary>
    public bool MixCleanWithAdversarial { get; init; }

    /// <summary>
    /// What is minimized: <see cref="TrainingObjective.CrossEntropy"/> (default) on the batch above, or
    /// <see cref="TrainingObjective.Trades(double)"/>: CE on the clean images plus β·KL to the prediction on
    /// <see cref="Attack"/>'s images (then <see cref="Attack"/> is required, typically a <see cref="TradesAttack"/>, and
    /// <see cref="MixCleanWithAdversarial"/> must be false, as TRADES always uses both).
    /// </summary>
    public TrainingObjective Objective { get; init; } = TrainingObjective.CrossEntropy;

    /// <summary>SGD settings (ours; the paper does not state them).</summary>
    public OptimizerOptions Optimizer { get; init; } = new();

    /// <summary>Seed of every random draw of the attacks (the loader has its own seed).</summary>
    public long Seed { get; init; }

    /// <summary>
    /// What happens when this machine's libtorch computes the model's input gradients wrong
    /// (<see cref="Numerics.InputGradientCheck"/>, run once per model before the first step; 0.1–0.4 s for a width-0.25 ResNet-18, 0.8–1.9 s for nine of them in a mixture; docs/reliability.md):
    /// <see cref="Numerics.GradientCheckMode.Fail"/> (default) throws, <c>Warn</c> logs, <c>Off</c> skips the check.
    /// Not part of the checkpoint fingerprint.
    /// </summary>
    [NotFingerprinted]
    public Numerics.GradientCheckMode GradientCheck { get; init; } = Numerics.GradientCheckMode.Fail;

    /// <summary>Training images per batch on which clean accuracy is measured when batches are purely adversarial; default 32.</summary>
    public int CleanAccuracySample { get; init; } = 32;

    /// <summary>Label smoothing of the cross-entropy; default 0 (ours).</summary>
    public double LabelSmoothing { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (Epochs < 1)
        {
            throw new ArgumentException($"Epochs must be at least 1; got {Epochs}.", nameof(Epochs));
        }

        if (CleanAccuracySample < 0)
        {
            throw new ArgumentException($"CleanAccuracySample must be ≥ 0; got {CleanAccuracySample}.", nameof(CleanAccuracySample));
        }

        if (!(LabelSmoothing >= 0 && LabelSmoothing < 1))
        {
            throw new ArgumentException($"LabelSmoothing must be in [0,1); got {LabelSmoothing}.", nameof(LabelSmoothing));
        }

        ArgumentNullException.ThrowIfNull(Objective, nameof(Objective));
        Objective.Validate();
        if (Objective.Kind == TrainingObjectiveKind.Trades && Attack is null)
        {
            throw new ArgumentException("The TRADES objective needs an attack for x′: set Attack (e.g. new TradesAttack()).", nameof(Attack));
        }

        if (Objective.Kind == TrainingObjectiveKind.Trades && MixCleanWithAdversarial)
        {
            throw new ArgumentException("TRADES already trains on the clean and the adversarial images: set MixCleanWithAdversarial to false.", nameof(MixCleanWithAdversarial));
        }

        Optimizer.Validate(nameof(Optimizer) + ".");
    }
}
