namespace Dwf.Robustness.Evaluation;

/// <summary>
/// Two models compared on the same images: accuracies, their difference A − B with a 95% interval (Agresti–Min
/// adjusted Wald for paired proportions), the discordant counts and the exact McNemar p-value (two-sided).
/// </summary>
/// <param name="ModelA">First model.</param>
/// <param name="ModelB">Second model.</param>
/// <param name="Measure">What was compared, e.g. <c>worst case at ε=0.0314</c>.</param>
/// <param name="Samples">Paired images.</param>
/// <param name="AccuracyA">A's accuracy.</param>
/// <param name="AccuracyB">B's accuracy.</param>
/// <param name="Difference">AccuracyA − AccuracyB.</param>
/// <param name="DifferenceInterval">95% interval of the difference.</param>
/// <param name="OnlyA">Images A gets right and B wrong.</param>
/// <param name="OnlyB">Images B gets right and A wrong.</param>
/// <param name="PValue">Exact two-sided McNemar p-value: 2·P(X ≤ min(OnlyA, OnlyB)), X ~ Binomial(OnlyA + OnlyB, ½), at most 1.</param>
public sealed record PairedComparison(
    string ModelA,
    string ModelB,
    string Measure,
    int Samples,
    double AccuracyA,
    double AccuracyB,
    double Difference,
    ConfidenceInterval DifferenceInterval,
    int OnlyA,
    int OnlyB,
    double PValue)
{
    /// <summary>Whether the difference is significant at level <paramref name="alpha"/>.</summary>
    /// <param name="alpha">Significance level; 0.05 by default.</param>
    public bool IsSignificant(double alpha = 0.05) => PValue < alpha;
}
