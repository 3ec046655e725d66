using Dwf.Robustness.Attacks;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Infrastructure;
using ScottPlot;

namespace Dwf.Robustness.Plotting;

/// <summary>
/// Accuracy (%) against ε (in 1/255 pixel levels) for FGSM and PGD, per model, so experts and mixtures compare at a
/// glance. Only measured points are drawn: a series measured at several ε is a line through its markers (FGSM solid,
/// PGD dashed; the most-steps PGD at each ε), a series measured at one ε is a marker alone, and the clean accuracy is
/// a marker at ε = 0 — no line suggests values that were never measured.
/// </summary>
public static class ReportPlot
{
    /// <summary>One plotted series: what is drawn, before any drawing.</summary>
    /// <param name="Label">Legend text.</param>
    /// <param name="Epsilons">ε of each point, in 1/255 pixel levels.</param>
    /// <param name="Accuracies">Accuracy of each point, in %.</param>
    /// <param name="Connected">Whether a line joins the points (only when there are several).</param>
    /// <param name="Dashed">Whether the line is dashed (PGD).</param>
    /// <param name="Model">Index of the report, which sets the colour.</param>
    internal sealed record Series(string Label, double[] Epsilons, double[] Accuracies, bool Connected, bool Dashed, int Model);

    /// <summary>Writes a PNG.</summary>
    /// <param name="reports">One or more reports.</param>
    /// <param name="path">Destination .png file.</param>
    /// <param name="width">Pixels.</param>
    /// <param name="height">Pixels.</param>
    /// <param name="title">Plot title.</param>
    public static void SavePng(IReadOnlyList<RobustnessReport> reports, string path, int width = 1000, int height = 600, string title = "Accuracy under attack")
    {
        byte[] png = Build(reports, width, height, title).GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(png));
    }

    /// <summary>Writes an SVG (vector graphics, for papers and web pages).</summary>
    /// <param name="reports">One or more reports.</param>
    /// <param name="path">Destination .svg file.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <param name="title">Plot title.</param>
    public static void SaveSvg(IReadOnlyList<RobustnessReport> reports, string path, int width = 1000, int height = 600, string title = "Accuracy under attack")
    {
        string svg = Build(reports, width, height, title).GetSvgXml(width, height);
        AtomicFile.WriteAllText(path, svg);
    }

    /// <summary>The series <see cref="SavePng"/> draws for <paramref name="reports"/>.</summary>
    internal static IReadOnlyList<Series> SeriesOf(IReadOnlyList<RobustnessReport> reports)
    {
        var series = new List<Series>();
        for (int m = 0; m < reports.Count; m++)
        {
            var r = reports[m];
            series.Add(new Series($"{r.Model} clean", [0], [100 * r.CleanAccuracy], false, false, m));
            var fgsm = r.Attacks.Where(a => a.Surrogate is null && a.Descriptor.Family == AttackFamily.Fgsm && !a.Descriptor.Targeted).OrderBy(a => a.Epsilon).ToList();
            var pgd = r.Attacks.Where(a => a.Surrogate is null && a.Descriptor.Family == AttackFamily.Pgd && a.Descriptor.Loss == AttackLoss.CrossEntropy && !a.Descriptor.Targeted)
                .GroupBy(a => a.Epsilon).Select(g => g.OrderBy(a => a.Descriptor.Steps).Last()).OrderBy(a => a.Epsilon).ToList();
            Add(series, $"{r.Model} FGSM", fgsm, dashed: false, m);
            Add(series, pgd.Count > 0 ? $"{r.Model} PGD-{pgd.Max(p => p.Descriptor.Steps)}" : $"{r.Model} PGD", pgd, dashed: true, m);
        }

        return series;
    }

    private static void Add(List<Series> series, string label, IReadOnlyList<AttackResult> points, bool dashed, int model)
    {
        if (points.Count > 0)
        {
            series.Add(new Series(label, points.Select(p => p.Epsilon * 255).ToArray(), points.Select(p => 100 * p.Accuracy).ToArray(), points.Count > 1, dashed, model));
        }
    }

    private static Plot Build(IReadOnlyList<RobustnessReport> reports, int width, int height, string title)
    {
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 100);
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        foreach (var s in SeriesOf(reports))
        {
            var scatter = plot.Add.Scatter(s.Epsilons, s.Accuracies, palette.GetColor(s.Model));
            scatter.LineWidth = s.Connected ? 2 : 0;
            scatter.LinePattern = s.Dashed ? LinePattern.Dashed : LinePattern.Solid;
            scatter.MarkerSize = 7;
            scatter.MarkerShape = s.Label.EndsWith(" clean", StringComparison.Ordinal) ? MarkerShape.FilledSquare : s.Dashed ? MarkerShape.FilledTriangleUp : MarkerShape.FilledCircle;
            scatter.LegendText = s.Label;
        }

        plot.Title(title);
        plot.XLabel("ε (1/255 pixel levels)");
        plot.YLabel("accuracy (%)");
        plot.Axes.SetLimitsY(0, 102);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }
}
