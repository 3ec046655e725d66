using System.Diagnostics;

namespace Dwf.Robustness.Benchmarks;

/// <summary>Timing and memory helpers: warm-up, then the median of repeated runs.</summary>
internal static class Measure
{
    public static double PeakRssMb() => StatusMb("VmHWM:");

    public static double RssMb() => StatusMb("VmRSS:");

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

    /// <summary>Runs <paramref name="action"/> <paramref name="warmup"/> times, then <paramref name="runs"/> times; returns the median seconds.</summary>
    public static double MedianSeconds(Action action, int warmup, int runs)
    {
        for (int i = 0; i < warmup; i++)
        {
            action();
        }

        var times = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            times.Add(sw.Elapsed.TotalSeconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }
}
