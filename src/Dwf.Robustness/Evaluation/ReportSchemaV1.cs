using System.Text.Json;
using Dwf.Robustness.Attacks;

namespace Dwf.Robustness.Evaluation;

/// <summary>
/// Reads reports of schema 1 (FGSM/PGD family strings, one "worst case over all attacks") into the current record:
/// family strings become descriptors, intervals are computed from the counts, the worst case across budgets is
/// kept only as <see cref="RobustnessReport.LegacyWorstCaseAcrossBudgets"/>, and per-ε worst cases and per-image
/// outcomes, which schema 1 did not store, are empty.
/// </summary>
internal static class ReportSchemaV1
{
    private sealed record V1Attack(string Attack, string Family, double Epsilon, int Steps, double Accuracy, int Correct, int Total);

    private sealed record V1Report(
        int SchemaVersion, string Model, string Dataset, int Samples, EvaluationSettings Options, double CleanAccuracy,
        IReadOnlyList<V1Attack> Attacks, double RobustAccuracy, IReadOnlyList<string> ClassNames,
        IReadOnlyList<double> PerClassClean, IReadOnlyList<double> PerClassRobust, GateReport? Gate,
        IReadOnlyList<string> Warnings, double Seconds, DateTimeOffset CreatedUtc);

    public static RobustnessReport? Migrate(string json, JsonSerializerOptions options)
    {
        var v1 = JsonSerializer.Deserialize<V1Report>(json, options);
        if (v1 is null)
        {
            return null;
        }

        var attacks = (v1.Attacks ?? []).Select(a =>
        {
            var descriptor = a.Family switch
            {
                "FGSM" => new AttackDescriptor(AttackFamily.Fgsm, ThreatModel.Linf, a.Epsilon, 1, 1, AttackLoss.CrossEntropy, false),
                "PGD" => new AttackDescriptor(AttackFamily.Pgd, ThreatModel.Linf, a.Epsilon, a.Steps, v1.Options?.PgdRestarts ?? 1, AttackLoss.CrossEntropy, false),
                _ => throw new InvalidDataException($"Schema-1 report with unknown attack family '{a.Family}' (known: FGSM, PGD)."),
            };
            return new AttackResult(a.Attack, descriptor, "paper", StageKind.Sweep, a.Accuracy, a.Correct, a.Total,
                ConfidenceInterval.Wilson(a.Correct, a.Total), null);
        }).ToList();
        int cleanCorrect = (int)Math.Round(v1.CleanAccuracy * v1.Samples);
        var plan = new PlanRecord("paper", [new StageRecord("paper", StageKind.Sweep, attacks.Select(a => a.Descriptor).ToList(), v1.RobustAccuracy)]);
        return new RobustnessReport(
            1, v1.Model, v1.Dataset, v1.Samples, null, ThreatModel.Linf, plan, v1.Options!, v1.CleanAccuracy,
            ConfidenceInterval.Wilson(cleanCorrect, v1.Samples), null, attacks, [], v1.ClassNames ?? [], v1.PerClassClean ?? [],
            v1.Gate, (v1.Warnings ?? []).Select(w => new EvaluationWarning(WarningCode.Unclassified, w)).ToArray(), null, null, v1.Seconds, v1.CreatedUtc, v1.RobustAccuracy);
    }
}
