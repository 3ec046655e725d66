using Dwf.Robustness.Attacks;
using Dwf.Robustness.Defaults;

namespace Dwf.Cifar10;

/// <summary>
/// How a run evaluates its models (config.json <c>Eval</c>; <c>--set Eval.PerClass=100</c>, and the old flat names
/// such as <c>EvalPerClass</c> still work): which test images, the paper plan's FGSM and PGD settings, batching, and the
/// L2 budget of <c>evaluate --threat-model L2</c>. <c>Pipeline.EvaluationOptionsFor</c> maps them onto the library's
/// <see cref="Dwf.Robustness.Evaluation.EvaluationOptions"/>.
/// </summary>
public sealed record EvalSettings
{
    /// <summary>Test images per class; all when null.</summary>
    public int? PerClass { get; init; }

    /// <summary>With <see cref="PerClass"/>: test images of each class passed over first (900 with PerClass 100: the last 100 of each class, untouched by the runs before issue 31).</summary>
    public int SkipPerClass { get; init; }

    /// <summary>After the paper plan, attack the images it left robust with aa-rapid (AutoAttack's cascade rule), into reports-aa-rapid/; the worst case is taken over both per image.</summary>
    public bool RapidOnSurvivors { get; init; }

    /// <summary>FGSM budgets of the paper plan.</summary>
    public IReadOnlyList<double> FgsmEpsilons { get; init; } = [.. PaperDefaults.FgsmEpsilons, PaperDefaults.PgdEpsilon];

    /// <summary>PGD iteration counts of the paper plan.</summary>
    public IReadOnlyList<int> PgdSteps { get; init; } = OurDefaults.EvaluationPgdSteps;

    /// <summary>Evaluate every expert on the test set (true), or only the best one (chosen on validation) beside the mixtures and controls.</summary>
    public bool AllExperts { get; init; } = true;

    /// <summary>Objectives of the evaluation PGD (ours: the paper uses cross-entropy only); the CW margin is the second attack of the worst case.</summary>
    public IReadOnlyList<AttackLoss> PgdLosses { get; init; } = [AttackLoss.CrossEntropy, AttackLoss.CarliniWagnerMargin];

    /// <summary>Images per evaluation batch.</summary>
    public int BatchSize { get; init; } = OurDefaults.EvaluationBatchSize;

    /// <summary>Evaluation blocks of this many batches: the unit of packing, seeding and <c>evaluate --shard</c> (<see cref="Dwf.Robustness.Evaluation.EvaluationOptions.BatchesPerBlock"/>).</summary>
    public int BatchesPerBlock { get; init; } = OurDefaults.EvaluationBatchesPerBlock;

    /// <summary>Budget of <c>evaluate --threat-model L2</c> (RobustBench's CIFAR-10 L2 budget: 0.5).</summary>
    public double L2Epsilon { get; init; } = AutoAttackDefaults.Cifar10L2Epsilon;
}
