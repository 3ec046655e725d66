using Dwf.Robustness.Attacks;
using Dwf.Robustness.Defaults;

namespace Dwf.Robustness.Training;

/// <summary>Phase 1 of DWF: training one expert on its own.</summary>
public sealed record ExpertTrainingOptions
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

    /// <summary>SGD settings (ours; the paper does not state them).</summary>
    public OptimizerOptions Optimizer { get; init; } = new();

    /// <summary>Seed of every random draw of the attacks (the loader has its own seed).</summary>
    public long Seed { get; init; }

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

        Optimizer.Validate(nameof(Optimizer) + ".");
    }
}
