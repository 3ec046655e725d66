namespace Dwf.Robustness.Attacks;

/// <summary>The algorithm an attack runs; with <see cref="AttackDescriptor"/> it replaces family strings.</summary>
public enum AttackFamily
{
    /// <summary>Fast Gradient Sign Method: one signed-gradient step of size ε.</summary>
    Fgsm,

    /// <summary>Projected Gradient Descent with a fixed step (Madry et al., 2018), including FGSM with a random start.</summary>
    Pgd,

    /// <summary>Auto-PGD (Croce and Hein, 2020): step size adapted at checkpoints, momentum, restart from the best point.</summary>
    Apgd,

    /// <summary>Square Attack (Andriushchenko et al., 2020): score-based random search, no gradients.</summary>
    Square,

    /// <summary>One of several attacks drawn per call (the paper's randomized training attacks).</summary>
    Randomized,

    /// <summary>An attack from outside the library.</summary>
    Custom,

    /// <summary>TRADES's inner maximization (<see cref="TradesAttack"/>): signed-gradient ascent of the KL divergence from the clean prediction, label-free; a training attack, not PGD.</summary>
    Trades,

    /// <summary>Fast Adaptive Boundary (Croce and Hein, 2020): minimal perturbations by projections onto the linearized decision boundary.</summary>
    Fab,
}
