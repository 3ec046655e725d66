using System.Diagnostics;

namespace Dwf.Robustness.Benchmarks;

/// <summary>Timing and memory helpers: warm-up, then the median of repeated runs.</summary>
internal static class Measure
{
    public static double PeakRssMb() => StatusMb("VmHWM:");

    public static double RssMb() => StatusMb("VmRSS:");

    /// <summary>Minor page faults of the process so far (field 10 of /proc/self/stat; 0 where absent).</summary>
    public static long MinorFaults()
    {
        if (!File.Exists("/proc/self/stat"))
        {
            return 0;
        }

        string stat = File.ReadAllText("/proc/self/stat");
        return long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[7], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A memory field of /proc/self/status in MB (NaN where absent).</summary>
    private static double StatusMb(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return double.NaN;
    }

    /// <summary>The wall-clock seconds of one call of <paramref name="action"/>.</summary>
    public static double Seconds(Action action)
    {
        var sw = Stopwatch.StartNew();
        action();
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>The median (for an even count, the upper of the two middle values).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>Time ratios as the probes print them: <c>median 1.030 (quartiles 1.009–1.061)</c>.</summary>
    public static string RatioSummary(IEnumerable<double> ratios)
    {
        var sorted = ratios.Order().ToList();
        return $"median {sorted[sorted.Count / 2]:F3} (quartiles {sorted[sorted.Count / 4]:F3}–{sorted[3 * sorted.Count / 4]:F3})";
    }

    /// <summary>
    /// Runs <paramref name="first"/> and <paramref name="second"/> alternately in this process, <paramref name="warmup"/>
    /// untimed pairs and then <paramref name="pairs"/> timed ones, which removes the between-process noise that separate
    /// runs suffer from. Returns each side's seconds, pair by pair.
    /// </summary>
    public static (List<double> First, List<double> Second) Alternate(Action first, Action second, int pairs, int warmup)
    {
        var a = new List<double>();
        var b = new List<double>();
        for (int i = -warmup; i < pairs; i++)
        {
            double ta = Seconds(first), tb = Seconds(second);
            if (i >= 0)
            {
                a.Add(ta);
                b.Add(tb);
            }
        }

        return (a, b);
    }

    /// <summary>Runs <paramref name="action"/> <paramref name="warmup"/> times, then <paramref name="runs"/> times; returns the median seconds.</summary>
    public static double MedianSeconds(Action action, int warmup, int runs)
    {
        for (int i = 0; i < warmup; i++)
        {
            action();
        }

        var times = new List<double>();
        long faults = MinorFaults();
        for (int i = 0; i < runs; i++)
        {
            times.Add(Seconds(action));
        }

        Console.Error.WriteLine($"minor page faults per timed run: {(MinorFaults() - faults) / Math.Max(runs, 1):N0}; " +
                                $"seconds per run in order: {string.Join(" ", times.Select(t => t.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}");
        return Median(times);
    }
}
