namespace Dwf.Cifar10.Aggregate;

/// <summary>A model's part in a replicate: the same role names a possibly different model in each replicate (the best expert is each replicate's own choice).</summary>
public enum StudyRole
{
    /// <summary>The DWF mixture (joint phase).</summary>
    Dwf,

    /// <summary>The frozen-expert mixture.</summary>
    Frozen,

    /// <summary>The best expert, chosen on the validation split.</summary>
    BestExpert,

    /// <summary>Control (a): the best PGD expert fine-tuned with the joint batches.</summary>
    FineTuned,

    /// <summary>Control (b): one PGD expert at equal compute.</summary>
    EqualCompute,

    /// <summary>Control (c): one wide PGD network at equal parameters and compute.</summary>
    Wide,
}

/// <summary>The roles' labels, their models in a replicate, and the claims registered in docs/results/scaling/PREREGISTRATION.md.</summary>
public static class StudyRoles
{
    /// <summary>The rivals DWF is tested against, in the pre-registered order.</summary>
    public static readonly StudyRole[] Claims = [StudyRole.EqualCompute, StudyRole.BestExpert, StudyRole.Frozen, StudyRole.Wide];

    /// <summary>Every role, in table order.</summary>
    public static readonly StudyRole[] All = Enum.GetValues<StudyRole>();

    /// <summary>A role's label in tables.</summary>
    public static string Label(StudyRole role) => role switch
    {
        StudyRole.Dwf => "DWF",
        StudyRole.Frozen => "frozen-expert mixture",
        StudyRole.BestExpert => "best expert (validation)",
        StudyRole.FineTuned => "control (a): best PGD expert fine-tuned",
        StudyRole.EqualCompute => "control (b): one PGD expert, equal compute",
        StudyRole.Wide => "control (c): wide PGD network, equal parameters and compute",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    /// <summary>The model that plays <paramref name="role"/> in a replicate whose best expert is <paramref name="bestExpert"/>.</summary>
    public static string? Model(StudyRole role, string? bestExpert) => role switch
    {
        StudyRole.Dwf => Pipeline.DwfModel,
        StudyRole.Frozen => Pipeline.FrozenModel,
        StudyRole.BestExpert => bestExpert,
        StudyRole.FineTuned => Pipeline.FineTunedControl,
        StudyRole.EqualCompute => Pipeline.EqualComputeControl,
        StudyRole.Wide => Pipeline.WideControlName,
        _ => null,
    };
}
