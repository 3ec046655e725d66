using Dwf.Robustness.Attacks;

namespace Dwf.Robustness.Tests.Attacks;

/// <summary>Every attack the library ships, small enough for unit tests, by name.</summary>
internal static class AttackCatalog
{
    public const double Eps = 0.05;

    public static TheoryData<string> Names => new()
    {
        "fgsm", "fgsm-cw", "fgsm-targeted", "pgd", "pgd-no-random-start", "pgd-restarts", "pgd-cw", "pgd-targeted",
        "fast-fgsm", "random-epsilon-fgsm", "random-steps-pgd", "random-choice", "pgd-last-iterate",
        "apgd-ce", "apgd-dlr", "apgd-restarts", "apgd-t", "square", "pgd-l2", "pgd-l2-targeted", "apgd-l2", "apgd-t-l2", "square-l2", "fab", "fab-t", "fab-l2", "fab-t-l2",
    };

    /// <summary>The L2 budget of the L2 attacks: on 3×8×8 test images about as strong as <see cref="Eps"/> in L∞.</summary>
    public const double L2Eps = 0.3;

    /// <summary>FAB's budgets in the catalog (L∞, L2).</summary>
    public const double FabEps = 0.5, FabL2Eps = 4.0;

    public static IAttack Create(string name) => name switch
    {
        "fgsm" => new Fgsm(Eps),
        "fgsm-cw" => new Fgsm(Eps, AttackLoss.CarliniWagnerMargin),
        "fgsm-targeted" => new Fgsm(Eps, targeted: true),
        "pgd" => new Pgd(Eps, Eps / 4, steps: 3),
        "pgd-no-random-start" => new Pgd(Eps, Eps / 4, steps: 3, randomStart: false),
        "pgd-restarts" => new Pgd(Eps, Eps / 4, steps: 2, restarts: 3),
        "pgd-cw" => new Pgd(Eps, Eps / 4, steps: 3, loss: AttackLoss.CarliniWagnerMargin),
        "pgd-targeted" => new Pgd(Eps, Eps / 4, steps: 3, targeted: true),
        "fast-fgsm" => Pgd.FastFgsm(Eps),
        "random-epsilon-fgsm" => PaperAttacks.RandomEpsilonFgsm([0.01, 0.03, Eps]),
        "random-steps-pgd" => PaperAttacks.RandomStepsPgd([1, 2, 3], Eps, Eps / 4),
        "random-choice" => new RandomizedAttack([new Fgsm(Eps), new Pgd(Eps, Eps / 4, steps: 2)]),
        "pgd-last-iterate" => new Pgd(Eps, Eps / 4, steps: 3, keepBest: false),
        "apgd-ce" => new Apgd(Eps, steps: 5),
        "apgd-dlr" => new Apgd(Eps, steps: 5, loss: AttackLoss.DifferenceOfLogitsRatio),
        "apgd-restarts" => new Apgd(Eps, steps: 3, restarts: 2),
        "apgd-t" => Apgd.TargetedDlr(Eps, targetClasses: 2, steps: 4),
        "square" => new Square(Eps, queries: 30),
        "pgd-l2" => new Pgd(L2Eps, L2Eps / 4, steps: 3, threatModel: ThreatModel.L2),
        // FAB returns an image unchanged unless its smallest adversarial point lies within ε: budgets at which the
        // contract's untrained model is broken, so that the contract sees FAB move pixels.
        "fab" => new Fab(FabEps, steps: 5),
        "fab-t" => Fab.TowardsTargets(FabEps, targetClasses: 2, steps: 5),
        "fab-l2" => new Fab(FabL2Eps, steps: 5, threatModel: ThreatModel.L2),
        "fab-t-l2" => Fab.TowardsTargets(FabL2Eps, targetClasses: 2, steps: 5, threatModel: ThreatModel.L2),
        "square-l2" => new Square(L2Eps, queries: 30, threatModel: ThreatModel.L2),
        "apgd-l2" => new Apgd(L2Eps, steps: 5, threatModel: ThreatModel.L2),
        "apgd-t-l2" => Apgd.TargetedDlr(L2Eps, targetClasses: 2, steps: 4, threatModel: ThreatModel.L2),
        "pgd-l2-targeted" => new Pgd(L2Eps, L2Eps / 4, steps: 3, targeted: true, threatModel: ThreatModel.L2),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown attack"),
    };
}
