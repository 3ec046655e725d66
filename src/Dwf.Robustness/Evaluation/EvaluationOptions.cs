using Dwf.Robustness.Attacks;
using Dwf.Robustness.Defaults;

namespace Dwf.Robustness.Evaluation;

/// <summary>
/// What <see cref="RobustnessEvaluator"/> measures: a <see cref="Plan"/>, or when none is given the paper plan built
/// from the FGSM and PGD settings here (defaults: the paper's FGSM ε sweep plus 8/255, and PGD at 8/255 with 10,
/// 20 and 50 steps, step 2/255, random start, best iterate kept).
/// </summary>
public sealed record EvaluationOptions
{
    /// <summary>The attacks to run, in stages; null for <see cref="EvaluationPlans.Paper"/> of these options.</summary>
    public EvaluationPlan? Plan { get; init; }

    /// <summary>FGSM budgets; default 0.01, 0.02, …, 0.09 (the paper's) and 8/255.</summary>
    public IReadOnlyList<double> FgsmEpsilons { get; init; } = [.. PaperDefaults.FgsmEpsilons, PaperDefaults.PgdEpsilon];

    /// <summary>PGD budgets; default 8/255.</summary>
    public IReadOnlyList<double> PgdEpsilons { get; init; } = [PaperDefaults.PgdEpsilon];

    /// <summary>PGD iteration counts, run at every PGD ε; default 10, 20, 50.</summary>
    public IReadOnlyList<int> PgdSteps { get; init; } = OurDefaults.EvaluationPgdSteps;

    /// <summary>
    /// Objectives of the paper plan's PGD: one attack per ε × steps × loss; default cross-entropy only. Adding
    /// <see cref="AttackLoss.CarliniWagnerMargin"/> gives a second, scale-invariant attack for the worst case.
    /// </summary>
    public IReadOnlyList<AttackLoss> PgdLosses { get; init; } = [AttackLoss.CrossEntropy];

    /// <summary>PGD step size in [0,1] units; default 2/255.</summary>
    public double PgdStepSize { get; init; } = OurDefaults.PgdStepSize;

    /// <summary>PGD random start; default true.</summary>
    public bool PgdRandomStart { get; init; } = true;

    /// <summary>PGD restarts (per-sample worst case kept); default 1.</summary>
    public int PgdRestarts { get; init; } = 1;

    /// <summary>Evaluate only the first N test images; null for all. Ignored when <see cref="PerClass"/> is set.</summary>
    public int? FirstN { get; init; }

    /// <summary>Evaluate the first N images of every class (stratified); null for no per-class subset.</summary>
    public int? PerClass { get; init; }

    /// <summary>
    /// With <see cref="PerClass"/>: images of every class passed over before the <see cref="PerClass"/> evaluated ones
    /// (default 0, the first ones). <c>PerClass = 100, SkipPerClass = 900</c> on CIFAR-10's test set evaluates the last
    /// 100 images of each class, for example images kept untouched by earlier runs and design decisions.
    /// </summary>
    public int SkipPerClass { get; init; }

    /// <summary>Images per batch; default 250.</summary>
    public int BatchSize { get; init; } = OurDefaults.EvaluationBatchSize;

    /// <summary>
    /// The test subset is cut into blocks of this many batches (default 4: 1,000 images at the default batch size).
    /// An attack packs the images it is eligible for into full batches within each block, and batch b of block k draws
    /// from the generator (<see cref="Seed"/>, attack run, k × <see cref="BatchesPerBlock"/> + b), so a block's outcomes do
    /// not depend on the others: the block is the unit of <see cref="Shard"/>. A subset of at most one block evaluates
    /// as before blocks existed.
    /// </summary>
    public int BatchesPerBlock { get; init; } = OurDefaults.EvaluationBatchesPerBlock;

    /// <summary>
    /// Evaluate only this shard of the test subset (whole blocks of <see cref="BatchesPerBlock"/> batches); null
    /// (default) for all of it. The shards' reports, merged with <see cref="ShardedEvaluation.Merge"/>, equal the
    /// unsharded report (docs/scale-out.md). A shard's report holds its images only and records the shard.
    /// </summary>
    public EvaluationShard? Shard { get; init; }

    /// <summary>Images per block: <see cref="BatchesPerBlock"/> × <see cref="BatchSize"/>.</summary>
    internal int BlockImages => BatchesPerBlock * BatchSize;

    /// <summary>Seed of the attacks' random starts.</summary>
    public long Seed { get; init; }

    /// <summary>Run the gradient-masking checks (they add one PGD run at ε = <see cref="SanityEpsilon"/> on up to 200 images); default true.</summary>
    public bool SanityChecks { get; init; } = true;

    /// <summary>
    /// For a <see cref="Moe.MixtureOfExperts"/>: after the plan, attack it adaptively — per ε the plan's strongest
    /// untargeted PGD/APGD against the gate-detached surrogate (<see cref="Moe.GateDetachedSurrogate"/>) and transferred
    /// from every expert, on the images still robust — and fold the results into the worst case per ε. Default true.
    /// </summary>
    public bool AdaptiveMixtureChecks { get; init; } = true;

    /// <summary>
    /// An earlier report of the same model on the same images (e.g. its paper plan) that this evaluation continues, as
    /// AutoAttack's cascade continues from one attack to the next: at every budget only the images that report leaves
    /// robust at the same ε (its worst case there) are attacked, and the others count as failures. Every accuracy of
    /// the new report is then a worst case over both evaluations, and the report names the earlier one
    /// (<see cref="EvaluationSettings.AttackedAfter"/>). Null (default): every clean-correct image is attacked.
    /// <see cref="RobustnessEvaluator.Evaluate"/> refuses a report of other data, another model name, other clean
    /// outcomes, or one without a worst case at every ε of the plan.
    /// </summary>
    public RobustnessReport? After { get; init; }

    /// <summary>
    /// What happens when this machine's libtorch computes the model's input gradients wrong
    /// (<see cref="Numerics.InputGradientCheck"/>, run once per model before the clean pass, on the first 16 images;
    /// 0.1–0.4 s for a width-0.25 ResNet-18, 0.8–1.9 s for nine of them in a mixture; docs/reliability.md): <see cref="Numerics.GradientCheckMode.Fail"/> (default) throws, because every attack on such a
    /// model is silently weak; <c>Warn</c> adds the finding to the report's warnings; <c>Off</c> skips the check.
    /// </summary>
    public Numerics.GradientCheckMode GradientCheck { get; init; } = Numerics.GradientCheckMode.Fail;

    /// <summary>
    /// Passes averaged per gradient by the gradient attacks (expectation over transformation,
    /// <see cref="ExpectationOverTransformation"/>). Null (default): <see cref="AutoAttackDefaults.ExpectationSamples"/>
    /// when the model gives different logits for the same images twice (checked on the first images), else 1. 1 turns it off.
    /// </summary>
    public int? ExpectationSamples { get; init; }

    /// <summary>The large budget at which accuracy must be near zero; default 0.5.</summary>
    public double SanityEpsilon { get; init; } = 0.5;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        foreach (var e in FgsmEpsilons.Concat(PgdEpsilons))
        {
            if (double.IsNaN(e) || e < 0 || e > 1)
            {
                throw new ArgumentException($"Every ε must be in [0,1] pixel units; got {e}.", nameof(FgsmEpsilons));
            }
        }

        if (PgdSteps.Any(s => s < 1))
        {
            throw new ArgumentException($"PGD steps must be ≥ 1; got [{string.Join(", ", PgdSteps)}].", nameof(PgdSteps));
        }

        foreach (var loss in PgdLosses)
        {
            if (loss is not (AttackLoss.CrossEntropy or AttackLoss.CarliniWagnerMargin or AttackLoss.DifferenceOfLogitsRatio))
            {
                throw new ArgumentException(
                    $"PgdLosses may hold CrossEntropy, CarliniWagnerMargin and DifferenceOfLogitsRatio (untargeted objectives); got {loss}. Targeted DLR needs targets: use Apgd.TargetedDlr in a plan.",
                    nameof(PgdLosses));
            }
        }

        if (PgdLosses.Count == 0 && PgdEpsilons.Count > 0)
        {
            throw new ArgumentException("PgdLosses is empty while PgdEpsilons is not: give at least one loss (CrossEntropy), or no PGD budgets.", nameof(PgdLosses));
        }

        if (!(PgdStepSize > 0))
        {
            throw new ArgumentException($"PgdStepSize must be > 0; got {PgdStepSize}.", nameof(PgdStepSize));
        }

        if (PgdRestarts < 1)
        {
            throw new ArgumentException($"PgdRestarts must be ≥ 1; got {PgdRestarts}.", nameof(PgdRestarts));
        }

        if (BatchSize < 1)
        {
            throw new ArgumentException($"BatchSize must be ≥ 1; got {BatchSize}.", nameof(BatchSize));
        }

        if (BatchesPerBlock < 1)
        {
            throw new ArgumentException($"BatchesPerBlock must be ≥ 1; got {BatchesPerBlock}.", nameof(BatchesPerBlock));
        }

        Shard?.Validate();
        if (FirstN is < 1)
        {
            throw new ArgumentException($"FirstN must be ≥ 1; got {FirstN}.", nameof(FirstN));
        }

        if (PerClass is < 1)
        {
            throw new ArgumentException($"PerClass must be ≥ 1; got {PerClass}.", nameof(PerClass));
        }

        if (SkipPerClass < 0 || (SkipPerClass > 0 && PerClass is null))
        {
            throw new ArgumentException(
                $"SkipPerClass must be ≥ 0 and needs PerClass (it skips images of every class before the PerClass evaluated ones); got SkipPerClass {SkipPerClass}, PerClass {PerClass?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unset"}.",
                nameof(SkipPerClass));
        }

        if (ExpectationSamples is < 1)
        {
            throw new ArgumentException($"ExpectationSamples must be ≥ 1 (1 turns expectation over transformation off; null chooses it); got {ExpectationSamples}.", nameof(ExpectationSamples));
        }

        if (!(SanityEpsilon > 0 && SanityEpsilon <= 1))
        {
            throw new ArgumentException($"SanityEpsilon must be in (0,1]; got {SanityEpsilon}.", nameof(SanityEpsilon));
        }

        Plan?.Validate();
        if (Plan is null && FgsmEpsilons.Count + PgdEpsilons.Count * PgdSteps.Count * PgdLosses.Count == 0)
        {
            throw new ArgumentException("No attack to run: give FGSM or PGD budgets, or a Plan.", nameof(Plan));
        }
    }

    /// <summary>The plan in force: <see cref="Plan"/>, or the paper plan of these options.</summary>
    public EvaluationPlan ResolvePlan() => Plan ?? EvaluationPlans.Paper(this);
}
