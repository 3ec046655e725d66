using Dwf.Robustness.Attacks;
using Dwf.Robustness.Defaults;

namespace Dwf.Robustness.Evaluation;

/// <summary>
/// Ready-made evaluation plans. <see cref="AutoAttackStandard"/> is AutoAttack's standard version (Croce and Hein,
/// 2020): APGD-CE → APGD-T → FAB-T → Square; <see cref="AutoAttackRapid"/> is the cheaper
/// APGD-CE → APGD-T(3) cascade. Any <see cref="IAttack"/> can be added in a stage of one's own.
/// </summary>
public static class EvaluationPlans
{
    /// <summary>The plan a <see cref="PlanKind"/> names, at budget <paramref name="epsilon"/> for the AutoAttack plans.</summary>
    /// <param name="kind">Which plan.</param>
    /// <param name="options">Supplies the paper plan's FGSM and PGD settings.</param>
    /// <param name="epsilon">Budget of the AutoAttack plans; when null, 8/255 in L∞ and <see cref="AutoAttackDefaults.Cifar10L2Epsilon"/> in L2.</param>
    /// <param name="threatModel">Norm of the AutoAttack plans; the paper plan is L∞ only.</param>
    /// <param name="classes">The model's number of classes, when known: the targeted attacks then aim at no more than the
    /// other classes there are (AutoAttack's 3 or 9 targets, capped at classes − 1).</param>
    /// <exception cref="ArgumentException">The paper plan in L2, or an AutoAttack plan for fewer than 4 classes (its targeted DLR loss needs 4).</exception>
    public static EvaluationPlan For(PlanKind kind, EvaluationOptions options, double? epsilon = null, ThreatModel threatModel = ThreatModel.Linf, int? classes = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        double e = epsilon ?? (threatModel == ThreatModel.L2 ? AutoAttackDefaults.Cifar10L2Epsilon : Epsilon.Cifar10Default);
        return kind switch
        {
            PlanKind.Paper when threatModel != ThreatModel.Linf => throw new ArgumentException(
                $"The paper plan is L∞ (FGSM and PGD as the paper ran them); for {threatModel} use AutoAttackRapid or AutoAttackStandard.", nameof(threatModel)),
            PlanKind.Paper => Paper(options),
            PlanKind.AutoAttackRapid => AutoAttackRapid(e, threatModel: threatModel, classes: classes),
            PlanKind.AutoAttackStandard => AutoAttackStandard(e, threatModel: threatModel, classes: classes),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, $"Unknown plan; use one of {string.Join(", ", Enum.GetNames<PlanKind>())}."),
        };
    }

    /// <summary>
    /// One sweep: FGSM at every <see cref="EvaluationOptions.FgsmEpsilons"/>, then PGD at every
    /// <see cref="EvaluationOptions.PgdEpsilons"/> × <see cref="EvaluationOptions.PgdSteps"/> × <see cref="EvaluationOptions.PgdLosses"/> (best iterate kept).
    /// </summary>
    /// <param name="options">The FGSM and PGD settings.</param>
    public static EvaluationPlan Paper(EvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var attacks = options.FgsmEpsilons.Select(e => (IAttack)new Fgsm(e))
            .Concat(options.PgdEpsilons.SelectMany(e => options.PgdSteps.SelectMany(s => options.PgdLosses.Select(loss =>
                (IAttack)new Pgd(e, options.PgdStepSize, s, options.PgdRandomStart, options.PgdRestarts, loss)))))
            .ToList();
        return new EvaluationPlan("paper", [new EvaluationStage("paper", StageKind.Sweep, attacks)]);
    }

    /// <summary>APGD-CE (100 steps) → APGD-T (100 steps, 3 targets), a cascade at <paramref name="epsilon"/> in <paramref name="threatModel"/>'s norm.</summary>
    /// <param name="epsilon">Budget in [0,1] units (CIFAR-10: 8/255 in L∞, <see cref="AutoAttackDefaults.Cifar10L2Epsilon"/> in L2).</param>
    /// <param name="steps">Iterations per attack; 100 as in AutoAttack.</param>
    /// <param name="threatModel">L∞ (default) or L2.</param>
    /// <param name="classes">The model's number of classes, when known: APGD-T aims at min(3, classes − 1) targets.</param>
    /// <exception cref="ArgumentException">Fewer than 4 classes.</exception>
    public static EvaluationPlan AutoAttackRapid(double epsilon, int steps = AutoAttackDefaults.ApgdSteps, ThreatModel threatModel = ThreatModel.Linf, int? classes = null) =>
        new("aa-rapid", [new EvaluationStage("aa-rapid", StageKind.Cascade,
            [new Apgd(epsilon, steps, threatModel: threatModel), Apgd.TargetedDlr(epsilon, Targets(AutoAttackDefaults.RapidTargets, classes, "aa-rapid"), steps, threatModel: threatModel)])]);

    /// <summary>
    /// APGD-CE → APGD-T (9 targets) → FAB-T (9 targets) → Square (5,000 queries), a cascade at <paramref name="epsilon"/>:
    /// AutoAttack's standard version.
    /// </summary>
    /// <param name="epsilon">L∞ budget in [0,1] units.</param>
    /// <param name="steps">APGD iterations; 100 as in AutoAttack.</param>
    /// <param name="queries">Square's query budget; 5,000 as in AutoAttack.</param>
    /// <param name="threatModel">L∞ (default) or L2.</param>
    /// <param name="classes">The model's number of classes, when known: APGD-T and FAB-T aim at min(9, classes − 1) targets.</param>
    /// <exception cref="ArgumentException">Fewer than 4 classes.</exception>
    public static EvaluationPlan AutoAttackStandard(double epsilon, int steps = AutoAttackDefaults.ApgdSteps, int queries = AutoAttackDefaults.SquareQueries,
        ThreatModel threatModel = ThreatModel.Linf, int? classes = null)
    {
        int targets = Targets(AutoAttackDefaults.StandardTargets, classes, "aa-standard");
        return new("aa-standard", [new EvaluationStage("aa-standard", StageKind.Cascade,
            [new Apgd(epsilon, steps, threatModel: threatModel), Apgd.TargetedDlr(epsilon, targets, steps, threatModel: threatModel),
             Fab.TowardsTargets(epsilon, targets, steps, threatModel: threatModel), new Square(epsilon, queries, threatModel: threatModel)])]);
    }

    /// <summary>AutoAttack's target count, capped at the other classes a <paramref name="classes"/>-class model has.</summary>
    private static int Targets(int standard, int? classes, string plan)
    {
        if (classes is not { } k)
        {
            return standard;
        }

        if (k < 4)
        {
            throw new ArgumentException(
                $"{plan} attacks with the targeted DLR loss, which needs at least 4 classes (it compares the largest logit with the third and fourth); this model has {k}. " +
                "Evaluate it with the paper plan (FGSM and PGD), or with attacks of your own in an EvaluationPlan.", nameof(classes));
        }

        return Math.Min(standard, k - 1);
    }
}
