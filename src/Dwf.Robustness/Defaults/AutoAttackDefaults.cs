namespace Dwf.Robustness.Defaults;

/// <summary>The settings of AutoAttack (Croce and Hein, ICML 2020; fra31/auto-attack) that its plans here follow.</summary>
public static class AutoAttackDefaults
{
    /// <summary>APGD iterations: 100.</summary>
    public const int ApgdSteps = 100;

    /// <summary>Target classes of APGD-T in the standard version: 9.</summary>
    public const int StandardTargets = 9;

    /// <summary>Target classes of APGD-T in the rapid version: 3.</summary>
    public const int RapidTargets = 3;

    /// <summary>The CIFAR-10 L2 budget of AutoAttack's paper and RobustBench's L2 leaderboard: 0.5 (in [0,1] pixel units over all 3,072 values).</summary>
    public const double Cifar10L2Epsilon = 0.5;

    /// <summary>Passes averaged per gradient for a randomized model (expectation over transformation): 20, as AutoAttack's randomized version.</summary>
    public const int ExpectationSamples = 20;

    /// <summary>Square Attack's query budget: 5,000.</summary>
    public const int SquareQueries = 5000;

    /// <summary>Whether AutoAttack stretches Square's window schedule over its query budget: no (<c>resc_schedule=False</c> in its standard version).</summary>
    public const bool SquareRescaleSchedule = false;

    /// <summary>Square Attack's initial fraction of pixels changed: 0.8.</summary>
    public const double SquareInitialFraction = 0.8;
}
