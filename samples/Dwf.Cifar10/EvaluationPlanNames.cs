using Dwf.Robustness.Evaluation;

namespace Dwf.Cifar10;

/// <summary>The command-line names of the library's ready-made plans.</summary>
public static class EvaluationPlanNames
{
    public static IReadOnlyList<string> All { get; } = Enum.GetValues<PlanKind>().Select(Name).ToArray();

    public static string Name(PlanKind kind) => kind switch
    {
        PlanKind.Paper => "paper",
        PlanKind.AutoAttackRapid => "aa-rapid",
        PlanKind.AutoAttackStandard => "aa-standard",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static PlanKind Parse(string name) =>
        Enum.GetValues<PlanKind>().FirstOrDefault(k => Name(k) == name) is var kind && Name(kind) == name
            ? kind
            : throw new ArgumentException($"--plan must be one of {string.Join(", ", All)}; got '{name}'.");
}
