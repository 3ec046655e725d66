namespace Dwf.Robustness.Training;

/// <summary>The loss a trainer minimizes on each batch.</summary>
public enum TrainingObjectiveKind
{
    /// <summary>Cross-entropy on the batch the options build (clean, adversarial, or both mixed).</summary>
    CrossEntropy,

    /// <summary>TRADES (Zhang et al., 2019): CE(f(x), y) + β · KL(p(x) ‖ p(x′)), x′ from <see cref="Attacks.TradesAttack"/>.</summary>
    Trades,
}
