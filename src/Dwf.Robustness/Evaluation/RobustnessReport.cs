using Dwf.Robustness.Attacks;

namespace Dwf.Robustness.Evaluation;

/// <summary>
/// The immutable result of one evaluation: configuration, numbers and per-image outcomes. Its JSON form
/// (<see cref="ReportJson"/>) is a stable schema, version <see cref="CurrentSchemaVersion"/>, documented in
/// docs/evaluation.md with a JSON Schema in docs/report-schema-v2.json; reports of schema 1 still load.
/// </summary>
/// <param name="SchemaVersion">JSON schema version.</param>
/// <param name="Model">Display name of the model.</param>
/// <param name="Dataset">Description of the test data (e.g. <c>CIFAR-10 test, first 100 per class</c>).</param>
/// <param name="Samples">Images evaluated.</param>
/// <param name="DataSha256">SHA-256 of the evaluated labels and images: two reports are paired only when it is equal; null for schema 1.</param>
/// <param name="ThreatModel">The threat model of the plan's attacks.</param>
/// <param name="Plan">The plan's name and stages as run.</param>
/// <param name="Options">The evaluation settings.</param>
/// <param name="CleanAccuracy">Accuracy on clean images.</param>
/// <param name="CleanInterval">Wilson 95% interval of <paramref name="CleanAccuracy"/>.</param>
/// <param name="CleanOutcomes">Per image, whether it is classified correctly when clean; null for schema 1.</param>
/// <param name="Attacks">Accuracy under every attack of the plan, in run order.</param>
/// <param name="WorstCase">Robust accuracy per ε: correct clean and under every attack at that budget.</param>
/// <param name="ClassNames">Class names.</param>
/// <param name="PerClassClean">Clean accuracy per class.</param>
/// <param name="Gate">For a mixture, its gate weights; otherwise null.</param>
/// <param name="Warnings">Sanity-check findings (possible gradient masking and similar); empty when none.</param>
/// <param name="ModelInfo">Architecture, parameter count and forward passes per prediction; null for schema 1.</param>
/// <param name="Versions">Library and TorchSharp versions that produced the report; null for schema 1.</param>
/// <param name="Seconds">Wall-clock seconds.</param>
/// <param name="CreatedUtc">When the evaluation finished.</param>
/// <param name="LegacyWorstCaseAcrossBudgets">Schema 1 only: its "worst case over all attacks", a per-sample minimum
/// across different ε that is not a robust accuracy at any budget; null in schema 2.</param>
/// <param name="Shard">For the report of one shard (<see cref="EvaluationOptions.Shard"/>): which images of the whole
/// subset it covers and what <see cref="ShardedEvaluation.Merge"/> needs; null (and absent from the JSON) otherwise.
/// <see cref="DataSha256"/> of a shard's report is the whole subset's.</param>
public sealed record RobustnessReport(
    int SchemaVersion,
    string Model,
    string Dataset,
    int Samples,
    string? DataSha256,
    ThreatModel ThreatModel,
    PlanRecord Plan,
    EvaluationSettings Options,
    double CleanAccuracy,
    ConfidenceInterval CleanInterval,
    SampleOutcomes? CleanOutcomes,
    IReadOnlyList<AttackResult> Attacks,
    IReadOnlyList<WorstCase> WorstCase,
    IReadOnlyList<string> ClassNames,
    IReadOnlyList<double> PerClassClean,
    GateReport? Gate,
    IReadOnlyList<EvaluationWarning> Warnings,
    ModelInfo? ModelInfo,
    VersionInfo? Versions,
    double Seconds,
    DateTimeOffset CreatedUtc,
    double? LegacyWorstCaseAcrossBudgets = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] ShardRecord? Shard = null)
{
    /// <summary>The schema version this library writes.</summary>
    public const int CurrentSchemaVersion = 2;

    /// <summary>
    /// Value equality over everything the report holds, lists included (a record's generated equality would compare
    /// its lists by reference): two reports are equal when their JSON (<see cref="ReportJson.Serialize"/>) is. With a
    /// fixed <see cref="TimeProvider"/> (see <see cref="RobustnessEvaluator"/>), two runs of a deterministic evaluation
    /// give equal reports, so a test can assert on a whole report.
    /// </summary>
    /// <param name="other">Another report.</param>
    public bool Equals(RobustnessReport? other) =>
        other is not null && (ReferenceEquals(this, other) || ReportJson.Serialize(this) == ReportJson.Serialize(other));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Model, Dataset, Samples, CleanAccuracy, Attacks.Count, CreatedUtc);

    /// <summary>The worst case at <paramref name="epsilon"/> (±1e-9) over every attack at that budget; null when none ran.</summary>
    /// <param name="epsilon">Budget in [0,1] units.</param>
    public WorstCase? WorstCaseAt(double epsilon) => WorstCase.FirstOrDefault(w => Epsilon.SameBudget(w.Epsilon, epsilon));

    /// <summary>Robust accuracy at <paramref name="epsilon"/> (±1e-9) over every attack at that budget; null when none ran.</summary>
    /// <param name="epsilon">Budget in [0,1] units.</param>
    public double? RobustAccuracyAt(double epsilon) => WorstCaseAt(epsilon)?.Accuracy;

    /// <summary>The first result of an attack of <paramref name="family"/> at <paramref name="epsilon"/> (±1e-9) and, if given, <paramref name="steps"/>, run against the whole model (not a surrogate); null if none ran.</summary>
    /// <param name="family">The attack family.</param>
    /// <param name="epsilon">Budget.</param>
    /// <param name="steps">Iterations, or null for any.</param>
    /// <param name="loss">Objective, or null for any.</param>
    public AttackResult? Find(AttackFamily family, double epsilon, int? steps = null, AttackLoss? loss = null) =>
        Attacks.FirstOrDefault(a => a.Surrogate is null && a.Descriptor.Family == family && Epsilon.SameBudget(a.Descriptor.Epsilon, epsilon) &&
                                    (steps is null || a.Descriptor.Steps == steps) && (loss is null || a.Descriptor.Loss == loss));

    /// <summary>Accuracy under the first attack matching <paramref name="family"/>, <paramref name="epsilon"/> and <paramref name="steps"/>; null if not run.</summary>
    /// <param name="family">The attack family.</param>
    /// <param name="epsilon">Budget.</param>
    /// <param name="steps">Iterations, or null for any.</param>
    /// <param name="loss">Objective, or null for any.</param>
    public double? AccuracyUnder(AttackFamily family, double epsilon, int? steps = null, AttackLoss? loss = null) => Find(family, epsilon, steps, loss)?.Accuracy;
}

/// <summary>A plan as recorded in a report: its name and, per stage, the kind and the attacks' descriptors.</summary>
/// <param name="Name">The plan's name.</param>
/// <param name="Stages">Stages in run order.</param>
public sealed record PlanRecord(string Name, IReadOnlyList<StageRecord> Stages);

/// <summary>A stage as recorded in a report.</summary>
/// <param name="Name">The stage's name.</param>
/// <param name="Kind">Sweep or cascade.</param>
/// <param name="Attacks">The attacks' descriptors in run order.</param>
/// <param name="RobustAccuracy">For a cascade, the robust accuracy after its last attack; for a sweep, the share robust to all its attacks.</param>
public sealed record StageRecord(string Name, StageKind Kind, IReadOnlyList<AttackDescriptor> Attacks, double RobustAccuracy);

/// <summary>What was evaluated.</summary>
/// <param name="Architecture">The model's type (for a mixture: mixture, gate and expert types).</param>
/// <param name="Parameters">Trainable and frozen parameters.</param>
/// <param name="ForwardPassesPerPrediction">Networks run per prediction (a mixture runs its gate and every expert).</param>
public sealed record ModelInfo(string Architecture, long Parameters, int ForwardPassesPerPrediction);

/// <summary>The software that produced a report.</summary>
/// <param name="Library">Dwf.Robustness's informational version.</param>
/// <param name="TorchSharp">TorchSharp's assembly version.</param>
public sealed record VersionInfo(string Library, string TorchSharp);

/// <summary>The evaluation settings as recorded in a report (plain values, so the JSON stays stable).</summary>
/// <param name="FgsmEpsilons">FGSM budgets the plan ran (empty when it ran no FGSM, as the AutoAttack plans).</param>
/// <param name="PgdEpsilons">PGD budgets the plan ran (empty when it ran no PGD).</param>
/// <param name="PgdSteps">PGD iteration counts the plan ran.</param>
/// <param name="PgdStepSize">PGD step size.</param>
/// <param name="PgdRandomStart">PGD random start.</param>
/// <param name="PgdRestarts">PGD restarts.</param>
/// <param name="BatchSize">Batch size.</param>
/// <param name="Seed">Seed.</param>
/// <param name="AttackedAfter">When the evaluation continued from an earlier report (<see cref="EvaluationOptions.After"/>):
/// that report's model and plan, whose survivors alone were attacked; null when every clean-correct image was attacked.</param>
/// <param name="ExpectationSamples">Passes the gradient attacks averaged per gradient (expectation over transformation); 1 when off (and in reports written before it existed).</param>
public sealed record EvaluationSettings(
    IReadOnlyList<double> FgsmEpsilons,
    IReadOnlyList<double> PgdEpsilons,
    IReadOnlyList<int> PgdSteps,
    double PgdStepSize,
    bool PgdRandomStart,
    int PgdRestarts,
    int BatchSize,
    long Seed,
    string? AttackedAfter = null,
    int ExpectationSamples = 1)
{
    /// <summary>
    /// Records the settings of <paramref name="options"/>; given the <paramref name="plan"/> that ran, the FGSM and PGD
    /// budgets and iteration counts are those of its attacks, so a plan without FGSM (or PGD) records none, and PGD's
    /// step size, start and restarts are its first PGD attack's.
    /// </summary>
    /// <param name="options">The options.</param>
    /// <param name="plan">The plan that ran; when null, the paper plan's settings of <paramref name="options"/> are recorded.</param>
    /// <param name="expectationSamples">The passes per gradient the attacks used.</param>
    public static EvaluationSettings From(EvaluationOptions options, EvaluationPlan? plan = null, int expectationSamples = 1)
    {
        ArgumentNullException.ThrowIfNull(options);
        string? after = options.After is { } earlier ? $"{earlier.Model}, plan {earlier.Plan.Name}" : null;
        if (plan is null)
        {
            return new(options.FgsmEpsilons.ToArray(), options.PgdEpsilons.ToArray(), options.PgdSteps.ToArray(),
                options.PgdStepSize, options.PgdRandomStart, options.PgdRestarts, options.BatchSize, options.Seed, after, expectationSamples);
        }

        var attacks = plan.Attacks().Select(a => a.Attack).ToList();
        var fgsm = attacks.Where(a => a.Descriptor.Family == AttackFamily.Fgsm).Select(a => a.Descriptor.Epsilon).Distinct().ToArray();
        var pgd = attacks.OfType<Pgd>().ToList();
        var first = pgd.FirstOrDefault();
        return new(fgsm, pgd.Select(a => a.Epsilon).Distinct().ToArray(), pgd.Select(a => a.Steps).Distinct().ToArray(),
            first?.StepSize ?? options.PgdStepSize, first?.RandomStart ?? options.PgdRandomStart, first?.Restarts ?? options.PgdRestarts,
            options.BatchSize, options.Seed, after, expectationSamples);
    }
}
