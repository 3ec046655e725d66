using Dwf.Robustness.Attacks;
using Dwf.Robustness.Defaults;
using Dwf.Robustness.Training;

namespace Dwf.Robustness.Defenses.Soe;

/// <summary>Training a <see cref="SynergyOfExperts"/> (<see cref="SoeTrainer"/>).</summary>
public sealed record SoeTrainingOptions : ITrainingOptions
{
    /// <summary>Epochs; default 150 (ours: the DWF experts' pre-training length; SoE's paper trains to convergence).</summary>
    public int Epochs { get; init; } = PaperDefaults.ExpertEpochs;

    /// <summary>
    /// The attack that crafts each batch's adversarial half against the whole collaborative model (its hard
    /// selection included); SoE's PGD-10 at ε 8/255, step 2/255 by default. Null trains on clean images only.
    /// </summary>
    public IAttack? Attack { get; init; } = new Pgd(PaperDefaults.PgdEpsilon, OurDefaults.PgdStepSize, SoeDefaults.TrainingPgdSteps);

    /// <summary>Weight λ of the confidence heads' BCE term; SoE's 1.</summary>
    public double ConfidenceWeight { get; init; } = SoeDefaults.ConfidenceWeight;

    /// <summary>SGD settings (ours, as for the DWF experts).</summary>
    public OptimizerOptions Optimizer { get; init; } = new();

    /// <summary>Seed of every random draw of the attacks (the loader has its own seed).</summary>
    public long Seed { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (Epochs < 1)
        {
            throw new ArgumentException($"Epochs must be at least 1; got {Epochs}.", nameof(Epochs));
        }

        if (!double.IsFinite(ConfidenceWeight) || ConfidenceWeight < 0)
        {
            throw new ArgumentException($"ConfidenceWeight must be finite and ≥ 0; got {ConfidenceWeight}.", nameof(ConfidenceWeight));
        }

        ArgumentNullException.ThrowIfNull(Optimizer, nameof(Optimizer));
        Optimizer.Validate(nameof(Optimizer) + ".");
    }
}
