using Dwf.Robustness.Attacks;
using Dwf.Robustness.Defaults;

namespace Dwf.Robustness.Training;

/// <summary>
/// Phase 2 of DWF: gate and experts trained end to end on batches that mix benign, FGSM and PGD examples, all
/// crafted against the current whole mixture. Values marked "paper" come from arXiv 2512.20821; the rest are ours.
/// </summary>
public sealed record JointTrainingOptions : ITrainingOptions
{
    /// <summary>Epochs; the paper uses 100.</summary>
    public int Epochs { get; init; } = PaperDefaults.JointEpochs;

    /// <summary>Share of each batch kept benign; default ⅓ (ours; the paper mixes but gives no ratio).</summary>
    public double CleanShare { get; init; } = 1.0 / 3;

    /// <summary>Share replaced by FGSM examples; default ⅓ (ours).</summary>
    public double FgsmShare { get; init; } = 1.0 / 3;

    /// <summary>Share replaced by PGD examples; default ⅓ (ours).</summary>
    public double PgdShare { get; init; } = 1.0 / 3;

    /// <summary>FGSM with randomized ε (paper: ε drawn from 0.01–0.09).</summary>
    public IAttack FgsmAttack { get; init; } = PaperAttacks.RandomEpsilonFgsm();

    /// <summary>PGD with randomized iterations (paper: 10–50; ε 8/255 and step 2/255 are ours).</summary>
    public IAttack PgdAttack { get; init; } = PaperAttacks.RandomStepsPgd();

    /// <summary>SGD settings for the gate; learning rate 0.1 (ours).</summary>
    public OptimizerOptions Gate { get; init; } = new();

    /// <summary>SGD settings for the experts; learning rate 0.01 (ours: they start pre-trained).</summary>
    public OptimizerOptions Experts { get; init; } = new() { LearningRate = OurDefaults.JointExpertLearningRate };

    /// <summary>Freeze the experts and train only the gate (the frozen-expert ablation); default false (paper: experts are trained).</summary>
    public bool FreezeExperts { get; init; }

    /// <summary>Weight λ of the gate-entropy bonus: the loss is CE − λ·mean entropy of the gate weights, which
    /// discourages the gate from collapsing onto one expert. Default 0 (ours; the paper has none).</summary>
    public double GateEntropyWeight { get; init; }

    /// <summary>How each expert's rate accounts for its gate weight; default <see cref="ExpertRateScaling.InverseGateWeight"/> (ours).</summary>
    public ExpertRateScaling ExpertRateScaling { get; init; } = ExpertRateScaling.InverseGateWeight;

    /// <summary>Largest multiplier <see cref="ExpertRateScaling.InverseGateWeight"/> applies; default 9 (ours: the
    /// paper's nine experts under a uniform gate).</summary>
    public double MaxExpertRateScale { get; init; } = OurDefaults.MaxExpertRateScale;

    /// <summary>
    /// Clean batches run through the gate in training mode, without gradients, before the first joint step of a
    /// fresh run, so its BatchNorm statistics describe the data before the first attack is crafted in eval mode;
    /// default 20 (ours; with BatchNorm's momentum 0.1 that leaves 12% of the initial statistics). 0 turns it off.
    /// </summary>
    public int GateWarmupBatches { get; init; } = OurDefaults.GateWarmupBatches;

    /// <summary>Label smoothing of the cross-entropy; default 0 (ours).</summary>
    public double LabelSmoothing { get; init; }

    /// <summary>Seed of every random draw of the attacks.</summary>
    public long Seed { get; init; }

    /// <summary>
    /// What happens when this machine's libtorch computes the model's input gradients wrong
    /// (<see cref="Numerics.InputGradientCheck"/>, run once per model before the first step; 0.1–0.4 s for a width-0.25 ResNet-18, 0.8–1.9 s for nine of them in a mixture; docs/reliability.md):
    /// <see cref="Numerics.GradientCheckMode.Fail"/> (default) throws, <c>Warn</c> logs, <c>Off</c> skips the check.
    /// Not part of the checkpoint fingerprint.
    /// </summary>
    [NotFingerprinted]
    public Numerics.GradientCheckMode GradientCheck { get; init; } = Numerics.GradientCheckMode.Fail;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (Epochs < 1)
        {
            throw new ArgumentException($"Epochs must be at least 1; got {Epochs}.", nameof(Epochs));
        }

        foreach (var (name, share) in new[] { (nameof(CleanShare), CleanShare), (nameof(FgsmShare), FgsmShare), (nameof(PgdShare), PgdShare) })
        {
            if (!(share >= 0 && share <= 1))
            {
                throw new ArgumentException($"{name} must be in [0,1]; got {share}.", name);
            }
        }

        double total = CleanShare + FgsmShare + PgdShare;
        if (Math.Abs(total - 1) > 1e-6)
        {
            throw new ArgumentException($"CleanShare + FgsmShare + PgdShare must be 1; got {total}.", nameof(CleanShare));
        }

        ArgumentNullException.ThrowIfNull(FgsmAttack, nameof(FgsmAttack));
        ArgumentNullException.ThrowIfNull(PgdAttack, nameof(PgdAttack));
        if (!(GateEntropyWeight >= 0))
        {
            throw new ArgumentException($"GateEntropyWeight must be ≥ 0; got {GateEntropyWeight}.", nameof(GateEntropyWeight));
        }

        if (!Enum.IsDefined(ExpertRateScaling))
        {
            throw new ArgumentException($"ExpertRateScaling {ExpertRateScaling} is not defined.", nameof(ExpertRateScaling));
        }

        if (!(MaxExpertRateScale >= 1) || double.IsInfinity(MaxExpertRateScale))
        {
            throw new ArgumentException($"MaxExpertRateScale must be finite and ≥ 1; got {MaxExpertRateScale}.", nameof(MaxExpertRateScale));
        }

        if (GateWarmupBatches < 0)
        {
            throw new ArgumentException($"GateWarmupBatches must be ≥ 0; got {GateWarmupBatches}.", nameof(GateWarmupBatches));
        }

        if (!(LabelSmoothing >= 0 && LabelSmoothing < 1))
        {
            throw new ArgumentException($"LabelSmoothing must be in [0,1); got {LabelSmoothing}.", nameof(LabelSmoothing));
        }

        Gate.Validate(nameof(Gate) + ".");
        Experts.Validate(nameof(Experts) + ".");
    }
}
