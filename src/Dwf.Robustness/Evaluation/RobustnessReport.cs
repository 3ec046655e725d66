namespace Dwf.Robustness.Evaluation;

/// <summary>
/// The immutable result of one evaluation: configuration and numbers. Its JSON form (<see cref="ReportJson"/>) is a
/// stable schema, version <see cref="CurrentSchemaVersion"/>, documented in docs/evaluation.md.
/// </summary>
/// <param name="SchemaVersion">JSON schema version.</param>
/// <param name="Model">Display name of the model.</param>
/// <param name="Dataset">Description of the test data (e.g. <c>CIFAR-10 test (JPEG-derived copy), first 1000</c>).</param>
/// <param name="Samples">Images evaluated.</param>
/// <param name="Options">The evaluation settings.</param>
/// <param name="CleanAccuracy">Accuracy on clean images.</param>
/// <param name="Attacks">Accuracy under every attack of the sweep.</param>
/// <param name="RobustAccuracy">Per-sample worst case: correct when clean and under every attack run.</param>
/// <param name="ClassNames">Class names.</param>
/// <param name="PerClassClean">Clean accuracy per class.</param>
/// <param name="PerClassRobust">Worst-case accuracy per class.</param>
/// <param name="Gate">For a mixture, its gate weights; otherwise null.</param>
/// <param name="Warnings">Sanity-check findings (possible gradient masking and similar); empty when none.</param>
/// <param name="Seconds">Wall-clock seconds.</param>
/// <param name="CreatedUtc">When the evaluation finished.</param>
public sealed record RobustnessReport(
    int SchemaVersion,
    string Model,
    string Dataset,
    int Samples,
    EvaluationSettings Options,
    double CleanAccuracy,
    IReadOnlyList<AttackResult> Attacks,
    double RobustAccuracy,
    IReadOnlyList<string> ClassNames,
    IReadOnlyList<double> PerClassClean,
    IReadOnlyList<double> PerClassRobust,
    GateReport? Gate,
    IReadOnlyList<string> Warnings,
    double Seconds,
    DateTimeOffset CreatedUtc)
{
    /// <summary>The schema version this library writes.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Accuracy under the first attack matching <paramref name="family"/>, <paramref name="epsilon"/> (±1e-9) and, if given, <paramref name="steps"/>; null if not run.</summary>
    /// <param name="family"><c>FGSM</c> or <c>PGD</c>.</param>
    /// <param name="epsilon">Budget.</param>
    /// <param name="steps">Iterations, or null for any.</param>
    public double? AccuracyUnder(string family, double epsilon, int? steps = null) =>
        Attacks.FirstOrDefault(a => a.Family == family && Math.Abs(a.Epsilon - epsilon) < 1e-9 && (steps is null || a.Steps == steps))?.Accuracy;
}

/// <summary>The evaluation settings as recorded in a report (plain values, so the JSON stays stable).</summary>
/// <param name="FgsmEpsilons">FGSM budgets.</param>
/// <param name="PgdEpsilons">PGD budgets.</param>
/// <param name="PgdSteps">PGD iteration counts.</param>
/// <param name="PgdStepSize">PGD step size.</param>
/// <param name="PgdRandomStart">PGD random start.</param>
/// <param name="PgdRestarts">PGD restarts.</param>
/// <param name="BatchSize">Batch size.</param>
/// <param name="Seed">Seed.</param>
public sealed record EvaluationSettings(
    IReadOnlyList<double> FgsmEpsilons,
    IReadOnlyList<double> PgdEpsilons,
    IReadOnlyList<int> PgdSteps,
    double PgdStepSize,
    bool PgdRandomStart,
    int PgdRestarts,
    int BatchSize,
    long Seed)
{
    /// <summary>Records the settings of <paramref name="options"/>.</summary>
    /// <param name="options">The options.</param>
    public static EvaluationSettings From(EvaluationOptions options) => new(
        options.FgsmEpsilons.ToArray(), options.PgdEpsilons.ToArray(), options.PgdSteps.ToArray(),
        options.PgdStepSize, options.PgdRandomStart, options.PgdRestarts, options.BatchSize, options.Seed);
}
