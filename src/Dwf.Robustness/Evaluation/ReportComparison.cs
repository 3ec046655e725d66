using Dwf.Robustness.Attacks;

namespace Dwf.Robustness.Evaluation;

/// <summary>
/// Paired comparisons of two reports on the same images (equal <see cref="RobustnessReport.DataSha256"/>), from
/// their per-image outcomes: the exact McNemar test and an interval for the difference. An unpaired comparison of
/// two accuracies wastes most of the evidence: two models that fail on mostly the same images differ far more
/// reliably than their separate intervals suggest.
/// </summary>
public static class ReportComparison
{
    /// <summary>Clean accuracy of A against B.</summary>
    /// <param name="a">First report.</param>
    /// <param name="b">Second report.</param>
    public static PairedComparison Clean(RobustnessReport a, RobustnessReport b) =>
        Compare(a, b, "clean", r => r.CleanOutcomes);

    /// <summary>Robust accuracy at <paramref name="epsilon"/> (every attack at that budget) of A against B.</summary>
    /// <param name="a">First report.</param>
    /// <param name="b">Second report.</param>
    /// <param name="epsilon">The budget (±1e-9).</param>
    public static PairedComparison WorstCase(RobustnessReport a, RobustnessReport b, double epsilon) =>
        Compare(a, b, FormattableString.Invariant($"worst case at ε={epsilon:0.####}"),
            r => r.WorstCaseAt(epsilon)?.Outcomes);

    /// <summary>Accuracy under the attack described by <paramref name="attack"/> of A against B.</summary>
    /// <param name="a">First report.</param>
    /// <param name="b">Second report.</param>
    /// <param name="attack">The attack, matched by <see cref="AttackDescriptor.Matches"/>.</param>
    public static PairedComparison Attack(RobustnessReport a, RobustnessReport b, AttackDescriptor attack)
    {
        ArgumentNullException.ThrowIfNull(attack);
        return Compare(a, b, attack.DisplayName, r => r.Attacks.FirstOrDefault(x => x.Surrogate is null && x.Descriptor.Matches(attack))?.Outcomes);
    }

    /// <summary>Compares the outcomes <paramref name="select"/> picks from each report.</summary>
    /// <param name="a">First report.</param>
    /// <param name="b">Second report.</param>
    /// <param name="measure">Name of the measure.</param>
    /// <param name="select">Picks the outcomes; null when the report lacks them.</param>
    /// <exception cref="ArgumentException">The reports are not on the same images, or lack the outcomes.</exception>
    public static PairedComparison Compare(RobustnessReport a, RobustnessReport b, string measure, Func<RobustnessReport, SampleOutcomes?> select)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(select);
        if (a.DataSha256 is null || b.DataSha256 is null || a.DataSha256 != b.DataSha256 || a.Samples != b.Samples)
        {
            throw new ArgumentException(
                $"'{a.Model}' and '{b.Model}' were not evaluated on the same images (data SHA-256 {a.DataSha256 ?? "none"} vs {b.DataSha256 ?? "none"}, {a.Samples} vs {b.Samples} images); " +
                "a paired test needs both on one test subset, evaluated by schema-2 reports.", nameof(b));
        }

        var x = select(a)?.ToArray() ?? throw new ArgumentException($"'{a.Model}' has no per-image outcomes for {measure}.", nameof(a));
        var y = select(b)?.ToArray() ?? throw new ArgumentException($"'{b.Model}' has no per-image outcomes for {measure}.", nameof(b));
        return Paired(a.Model, b.Model, measure, x, y);
    }

    /// <summary>The paired comparison of two outcome vectors of equal length.</summary>
    /// <param name="nameA">First model.</param>
    /// <param name="nameB">Second model.</param>
    /// <param name="measure">Name of the measure.</param>
    /// <param name="a">A's per-image outcomes.</param>
    /// <param name="b">B's per-image outcomes, same images in the same order.</param>
    public static PairedComparison Paired(string nameA, string nameB, string measure, IReadOnlyList<bool> a, IReadOnlyList<bool> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count || a.Count == 0)
        {
            throw new ArgumentException($"Paired outcomes need two non-empty vectors of one length; got {a.Count} and {b.Count}.", nameof(b));
        }

        int n = a.Count, onlyA = 0, onlyB = 0, correctA = 0, correctB = 0;
        for (int i = 0; i < n; i++)
        {
            correctA += a[i] ? 1 : 0;
            correctB += b[i] ? 1 : 0;
            onlyA += a[i] && !b[i] ? 1 : 0;
            onlyB += b[i] && !a[i] ? 1 : 0;
        }

        return new PairedComparison(nameA, nameB, measure, n, (double)correctA / n, (double)correctB / n,
            (double)(onlyA - onlyB) / n, AgrestiMin(onlyA, onlyB, n), onlyA, onlyB, McNemarExact(onlyA, onlyB));
    }

    /// <summary>Exact two-sided McNemar p-value for discordant counts <paramref name="b"/> and <paramref name="c"/>.</summary>
    /// <param name="b">Pairs where only the first is correct.</param>
    /// <param name="c">Pairs where only the second is correct.</param>
    /// <returns>min(1, 2·P(X ≤ min(b,c))) with X ~ Binomial(b + c, ½); 1 when b + c = 0.</returns>
    public static double McNemarExact(int b, int c)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(b);
        ArgumentOutOfRangeException.ThrowIfNegative(c);
        int n = b + c, k = Math.Min(b, c);
        if (n == 0)
        {
            return 1.0;
        }

        // Σ_{i ≤ k} C(n,i) / 2^n in log space (n may be in the thousands).
        double logHalf = n * Math.Log(0.5), logC = 0, sum = 0;
        for (int i = 0; i <= k; i++)
        {
            if (i > 0)
            {
                logC += Math.Log(n - i + 1) - Math.Log(i);
            }

            sum += Math.Exp(logC + logHalf);
        }

        return Math.Min(1.0, 2 * sum);
    }

    /// <summary>Agresti–Min (2005) interval for a difference of paired proportions: add ½ to every cell, then Wald.</summary>
    private static ConfidenceInterval AgrestiMin(int onlyA, int onlyB, int n)
    {
        double b = onlyA + 0.5, c = onlyB + 0.5, m = n + 2.0;
        double difference = (b - c) / m;
        double se = Math.Sqrt(Math.Max(0, (b + c) - (b - c) * (b - c) / m)) / m;
        return new ConfidenceInterval(Math.Max(-1, difference - ConfidenceInterval.Z95 * se), Math.Min(1, difference + ConfidenceInterval.Z95 * se));
    }
}
