namespace Dwf.Robustness.Evaluation;

/// <summary>
/// Student's t distribution for non-integer degrees of freedom (Satterthwaite's), through the regularized incomplete
/// beta function: P(|T| ≥ t) = I_{ν/(ν+t²)}(ν/2, 1/2).
/// </summary>
internal static class StudentT
{
    /// <summary>P(|T| ≥ |<paramref name="t"/>|) for ν = <paramref name="df"/> &gt; 0.</summary>
    public static double TwoSidedP(double t, double df)
    {
        if (!(df > 0) || double.IsNaN(t))
        {
            throw new ArgumentOutOfRangeException(nameof(df), df, "Need df > 0 and a finite t.");
        }

        if (double.IsInfinity(t))
        {
            return 0;
        }

        return Math.Clamp(RegularizedBeta(df / (df + t * t), df / 2, 0.5), 0, 1);
    }

    /// <summary>The t with P(|T| ≥ t) = <paramref name="alpha"/> (two-sided critical value), by bisection.</summary>
    public static double CriticalValue(double alpha, double df)
    {
        if (!(alpha > 0 && alpha < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "Need 0 < α < 1.");
        }

        double lo = 0, hi = 1;
        while (TwoSidedP(hi, df) > alpha)
        {
            hi *= 2;
        }

        for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++)
        {
            double mid = (lo + hi) / 2;
            if (TwoSidedP(mid, df) > alpha)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return (lo + hi) / 2;
    }

    /// <summary>I_x(a, b), the regularized incomplete beta function, by its continued fraction (modified Lentz).</summary>
    internal static double RegularizedBeta(double x, double a, double b)
    {
        if (x <= 0)
        {
            return 0;
        }

        if (x >= 1)
        {
            return 1;
        }

        double logFront = LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x);
        // The continued fraction converges fast for x < (a + 1)/(a + b + 2); otherwise use I_x(a,b) = 1 − I_{1−x}(b,a).
        return x < (a + 1) / (a + b + 2)
            ? Math.Exp(logFront) * ContinuedFraction(x, a, b) / a
            : 1 - Math.Exp(logFront) * ContinuedFraction(1 - x, b, a) / b;
    }

    private static double ContinuedFraction(double x, double a, double b)
    {
        const double tiny = 1e-300;
        double c = 1, d = 1 - (a + b) * x / (a + 1);
        d = 1 / (Math.Abs(d) < tiny ? tiny : d);
        double f = d;
        for (int m = 1; m <= 10_000; m++)
        {
            // even step: d_{2m} = m(b−m)x / ((a+2m−1)(a+2m))
            double numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
            d = 1 + numerator * d;
            d = 1 / (Math.Abs(d) < tiny ? tiny : d);
            c = 1 + numerator / c;
            c = Math.Abs(c) < tiny ? tiny : c;
            f *= d * c;
            // odd step: d_{2m+1} = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1))
            numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
            d = 1 + numerator * d;
            d = 1 / (Math.Abs(d) < tiny ? tiny : d);
            c = 1 + numerator / c;
            c = Math.Abs(c) < tiny ? tiny : c;
            double step = d * c;
            f *= step;
            if (Math.Abs(step - 1) < 1e-15)
            {
                break;
            }
        }

        return f;
    }

    /// <summary>ln Γ(z) for z &gt; 0 (Lanczos approximation, g = 7, 9 terms; relative error below 1e-14).</summary>
    internal static double LogGamma(double z)
    {
        if (z < 0.5)
        {
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * z))) - LogGamma(1 - z); // reflection
        }

        ReadOnlySpan<double> g =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        z -= 1;
        double sum = g[0];
        for (int i = 1; i < g.Length; i++)
        {
            sum += g[i] / (z + i);
        }

        double t = z + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (z + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }
}
