namespace Dwf.Robustness.Evaluation;

/// <summary>
/// Accuracies and paired differences over several training replicates evaluated on the same test images: a crossed
/// design (replicates × images). A value is modelled as y_ri = θ + a_r + b_i + e_ri with random training-run effects a,
/// image effects b and their interaction e. The estimate is the grand mean; its variance is estimated by the two-way
/// random-effects ANOVA identity Var(θ̂) = (MS_rep + MS_img − MS_res) / (R·N), which counts each source once whatever
/// their sizes; the interval and the p-value use Student's t with Satterthwaite's degrees of freedom. With few
/// replicates these are wide: that is what the variation between training runs costs. A paired McNemar test per
/// replicate (<see cref="ReportComparison"/>) covers the images only and understates the uncertainty of a claim
/// about the training recipe. Coverage checked by simulation (docs/evaluation.md).
/// </summary>
public static class ReplicatedComparison
{
    /// <summary>Accuracy over replicates and images: <paramref name="correct"/>[r][i] is whether replicate r's model got image i right.</summary>
    /// <param name="correct">One row per replicate (at least 2), every row over the same images in the same order (at least 2).</param>
    public static ReplicatedEstimate Accuracy(IReadOnlyList<IReadOnlyList<bool>> correct) =>
        Clamp(Mean(ToValues(correct, nameof(correct))), 0, 1);

    /// <summary>
    /// The paired difference A − B over replicates and images: per replicate and image, 1 when only A is right, −1 when
    /// only B is, 0 otherwise. Replicate r of A is paired with replicate r of B (trained from the same seed).
    /// </summary>
    /// <param name="a">Model A's outcomes, one row per replicate.</param>
    /// <param name="b">Model B's outcomes on the same replicates and images.</param>
    public static ReplicatedEstimate Difference(IReadOnlyList<IReadOnlyList<bool>> a, IReadOnlyList<IReadOnlyList<bool>> b)
    {
        var x = ToValues(a, nameof(a));
        var y = ToValues(b, nameof(b));
        if (x.Length != y.Length || x[0].Length != y[0].Length)
        {
            throw new ArgumentException(
                $"The two models must have the same replicates and images; got {x.Length}×{x[0].Length} and {y.Length}×{y[0].Length} (replicates × images).", nameof(b));
        }

        return Clamp(Mean(x.Zip(y, (u, v) => u.Zip(v, (p, q) => p - q).ToArray()).ToArray()), -1, 1);
    }

    /// <summary>An accuracy's interval cut to [0,1], a difference's to [−1,1]: the t interval knows no bounds.</summary>
    private static ReplicatedEstimate Clamp(ReplicatedEstimate e, double lower, double upper) =>
        e with { Interval = new ConfidenceInterval(Math.Max(lower, e.Interval.Lower), Math.Min(upper, e.Interval.Upper)) };

    /// <summary>The mean of <paramref name="values"/>[r][i] (replicates × images, a complete table) with its crossed-design interval.</summary>
    /// <param name="values">At least 2 replicates × 2 images, every value finite.</param>
    public static ReplicatedEstimate Mean(IReadOnlyList<IReadOnlyList<double>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int r = values.Count;
        if (r < 2)
        {
            throw new ArgumentException(
                $"Need at least 2 training replicates to estimate the variation between them; got {r}. With one, use the paired McNemar test of ReportComparison (images only).", nameof(values));
        }

        int n = values[0].Count;
        if (n < 2 || values.Any(row => row.Count != n))
        {
            throw new ArgumentException(
                $"Every replicate must be evaluated on the same images (at least 2); got {string.Join(", ", values.Select(row => row.Count))} images per replicate.", nameof(values));
        }

        double total = 0;
        var rowMeans = new double[r];
        var columnMeans = new double[n];
        for (int i = 0; i < r; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double v = values[i][j];
                if (!double.IsFinite(v))
                {
                    throw new ArgumentException($"Value [{i}][{j}] is {v}; every value must be finite.", nameof(values));
                }

                rowMeans[i] += v;
                columnMeans[j] += v;
                total += v;
            }
        }

        double mean = total / (r * (double)n);
        double ssTotal = 0, ssRows = 0, ssColumns = 0;
        for (int i = 0; i < r; i++)
        {
            rowMeans[i] /= n;
            ssRows += n * (rowMeans[i] - mean) * (rowMeans[i] - mean);
        }

        for (int j = 0; j < n; j++)
        {
            columnMeans[j] /= r;
            ssColumns += r * (columnMeans[j] - mean) * (columnMeans[j] - mean);
        }

        for (int i = 0; i < r; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double d = values[i][j] - mean;
                ssTotal += d * d;
            }
        }

        double dfRows = r - 1, dfColumns = n - 1, dfResidual = dfRows * dfColumns;
        double msRows = ssRows / dfRows, msColumns = ssColumns / dfColumns;
        double msResidual = Math.Max(0, ssTotal - ssRows - ssColumns) / dfResidual;
        double combined = msRows + msColumns - msResidual;
        if (combined <= 0)
        {
            // The mean squares of a complete crossed table make this negative only by chance when every source is
            // tiny; the two main terms alone are then the conservative estimate.
            combined = msRows + msColumns;
        }

        double variance = combined / (r * (double)n);
        double se = Math.Sqrt(variance);
        double training = Math.Clamp((msRows - msResidual) / n / r / Math.Max(variance, double.Epsilon), 0, 1);
        if (se == 0)
        {
            return new ReplicatedEstimate(mean, 0, double.PositiveInfinity, new ConfidenceInterval(mean, mean), mean == 0 ? 1 : 0, r, n, rowMeans, 0);
        }

        double denominator = msRows * msRows / dfRows + msColumns * msColumns / dfColumns + msResidual * msResidual / dfResidual;
        double df = Math.Max(1, combined * combined / denominator);
        double t = StudentT.CriticalValue(0.05, df);
        return new ReplicatedEstimate(mean, se, df, new ConfidenceInterval(mean - t * se, mean + t * se), StudentT.TwoSidedP(mean / se, df), r, n, rowMeans, training);
    }

    private static double[][] ToValues(IReadOnlyList<IReadOnlyList<bool>> outcomes, string name)
    {
        ArgumentNullException.ThrowIfNull(outcomes, name);
        if (outcomes.Count == 0)
        {
            throw new ArgumentException("Need at least 2 training replicates; got none.", name);
        }

        return outcomes.Select(row => row.Select(c => c ? 1.0 : 0.0).ToArray()).ToArray();
    }
}
