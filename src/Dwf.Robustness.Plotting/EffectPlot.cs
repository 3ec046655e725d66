using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Infrastructure;
using ScottPlot;

namespace Dwf.Robustness.Plotting;

/// <summary>One comparison measured at several settings (for example DWF − one rival at several training budgets).</summary>
/// <param name="Label">Legend text.</param>
/// <param name="X">The setting of each point (for example expert epochs).</param>
/// <param name="Effects">The estimate at each setting, with its 95% interval.</param>
public sealed record EffectSeries(string Label, IReadOnlyList<double> X, IReadOnlyList<ReplicatedEstimate> Effects);

/// <summary>
/// Differences with their 95% intervals against a setting: one marker per estimate, a vertical bar for its interval,
/// a line through a series' points, and a dashed line at zero (no difference). Values in percentage points.
/// </summary>
public static class EffectPlot
{
    /// <summary>Writes a PNG.</summary>
    /// <param name="series">One or more series; each with as many effects as settings.</param>
    /// <param name="path">Destination .png file.</param>
    /// <param name="xLabel">What the setting is.</param>
    /// <param name="yLabel">What the difference is.</param>
    /// <param name="title">Plot title.</param>
    /// <param name="width">Pixels.</param>
    /// <param name="height">Pixels.</param>
    public static void SavePng(IReadOnlyList<EffectSeries> series, string path, string xLabel, string yLabel, string title, int width = 1000, int height = 600)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 100);
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var xs = series.SelectMany(s => s.X).Distinct().Order().ToList();
        double spread = xs.Count > 1 ? (xs[^1] - xs[0]) * 0.012 : 0.05; // side by side, so intervals at one setting do not hide each other
        for (int i = 0; i < series.Count; i++)
        {
            var s = series[i];
            if (s.X.Count != s.Effects.Count)
            {
                throw new ArgumentException($"Series '{s.Label}' has {s.X.Count} settings but {s.Effects.Count} effects.", nameof(series));
            }

            var color = palette.GetColor(i);
            double shift = (i - (series.Count - 1) / 2.0) * spread;
            double[] x = s.X.Select(v => v + shift).ToArray();
            double[] y = s.Effects.Select(e => 100 * e.Estimate).ToArray();
            for (int k = 0; k < x.Length; k++)
            {
                var bar = plot.Add.Line(x[k], 100 * s.Effects[k].Interval.Lower, x[k], 100 * s.Effects[k].Interval.Upper);
                bar.Color = color;
                bar.LineWidth = 2;
            }

            var points = plot.Add.Scatter(x, y, color);
            points.LineWidth = x.Length > 1 ? 1.5f : 0;
            points.MarkerSize = 9;
            points.LegendText = s.Label;
        }

        var zero = plot.Add.HorizontalLine(0);
        zero.LinePattern = LinePattern.Dashed;
        zero.Color = Colors.Gray;
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperRight);
        byte[] png = plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(png));
    }
}
