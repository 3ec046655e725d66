namespace Dwf.Robustness.Evaluation;

/// <summary>The ready-made evaluation plans of <see cref="EvaluationPlans"/>.</summary>
public enum PlanKind
{
    /// <summary>The paper's FGSM ε grid and PGD as one sweep (<see cref="EvaluationPlans.Paper"/>).</summary>
    Paper,

    /// <summary>APGD-CE → APGD-T with 3 targets, as a cascade (<see cref="EvaluationPlans.AutoAttackRapid"/>).</summary>
    AutoAttackRapid,

    /// <summary>APGD-CE → APGD-T with 9 targets → FAB-T with 9 targets → Square 5,000 (AutoAttack's standard version), as a cascade (<see cref="EvaluationPlans.AutoAttackStandard"/>).</summary>
    AutoAttackStandard,
}
