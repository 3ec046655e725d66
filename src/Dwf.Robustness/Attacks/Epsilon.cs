using Dwf.Robustness.Defaults;

namespace Dwf.Robustness.Attacks;

/// <summary>Helpers for perturbation budgets, which this library always expresses in [0,1] pixel units.</summary>
public static class Epsilon
{
    /// <summary>Converts a budget in 1/255 units (as papers often write, e.g. 8/255) to [0,1] units.</summary>
    /// <param name="levels">Number of 8-bit intensity levels, e.g. 8.</param>
    /// <returns><paramref name="levels"/> / 255.</returns>
    public static double FromPixelLevels(double levels)
    {
        if (double.IsNaN(levels) || levels < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(levels), levels, "A budget in 1/255 units must be 0 or more.");
        }

        return levels / 255.0;
    }

    /// <summary>The common CIFAR-10 L∞ budget 8/255.</summary>
    public static double Cifar10Default => PaperDefaults.PgdEpsilon;

    /// <summary>The common CIFAR-10 L2 budget 0.5 (AutoAttack, RobustBench).</summary>
    public static double Cifar10L2Default => AutoAttackDefaults.Cifar10L2Epsilon;

    /// <summary>The common CIFAR-10 PGD step 2/255.</summary>
    public static double Cifar10Step => OurDefaults.PgdStepSize;

    /// <summary>Whether two budgets are the same (within 1e-9): the one comparison reports, lookups and worst cases use.</summary>
    /// <param name="a">A budget in [0,1] units.</param>
    /// <param name="b">Another.</param>
    public static bool SameBudget(double a, double b) => Math.Abs(a - b) < 1e-9;
}
