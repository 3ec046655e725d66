namespace Dwf.Robustness.Evaluation;

/// <summary>Corrections for deciding several claims at once, so that the chance of any false claim stays at α.</summary>
public static class MultipleComparisons
{
    /// <summary>
    /// Holm–Bonferroni adjusted p-values, in the order given: sort ascending, multiply the i-th smallest (0-based) by
    /// m − i, carry the running maximum, cap at 1. A claim is significant at family-wise level α when its adjusted
    /// p-value is below α. Uniformly more powerful than Bonferroni, valid under any dependence between the tests.
    /// </summary>
    /// <param name="pValues">Unadjusted p-values, each in [0,1].</param>
    public static double[] Holm(IReadOnlyList<double> pValues)
    {
        ArgumentNullException.ThrowIfNull(pValues);
        foreach (double p in pValues)
        {
            if (!(p >= 0 && p <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(pValues), p, "Every p-value must be in [0,1].");
            }
        }

        int m = pValues.Count;
        var order = Enumerable.Range(0, m).OrderBy(i => pValues[i]).ToArray();
        var adjusted = new double[m];
        double running = 0;
        for (int rank = 0; rank < m; rank++)
        {
            running = Math.Max(running, Math.Min(1, (m - rank) * pValues[order[rank]]));
            adjusted[order[rank]] = running;
        }

        return adjusted;
    }
}
