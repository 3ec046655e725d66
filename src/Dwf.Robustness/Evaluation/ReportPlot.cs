using Dwf.Robustness.Infrastructure;
using ScottPlot;

namespace Dwf.Robustness.Evaluation;

/// <summary>
/// Plots accuracy against ε for FGSM and PGD, one line per model, so experts and mixtures compare at a glance. FGSM
/// lines are solid, PGD lines (the most-steps PGD at each ε) dashed; ε = 0 is the clean accuracy.
/// </summary>
public static class ReportPlot
{
    /// <summary>Writes a PNG of the given size.</summary>
    /// <param name="reports">One or more reports.</param>
    /// <param name="path">Destination .png file.</param>
    /// <param name="width">Pixels.</param>
    /// <param name="height">Pixels.</param>
    /// <param name="title">Plot title.</param>
    public static void SavePng(IReadOnlyList<RobustnessReport> reports, string path, int width = 1000, int height = 600, string title = "Accuracy under attack")
    {
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 100);
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int m = 0; m < reports.Count; m++)
        {
            var r = reports[m];
            var color = palette.GetColor(m);
            AddLine(plot, r, "FGSM", r.Attacks.Where(a => a.Descriptor.Family == Attacks.AttackFamily.Fgsm).OrderBy(a => a.Epsilon).ToList(), color, LinePattern.Solid);
            var pgd = r.Attacks.Where(a => a.Descriptor.Family == Attacks.AttackFamily.Pgd).GroupBy(a => a.Epsilon)
                .Select(g => g.OrderBy(a => a.Descriptor.Steps).Last()).OrderBy(a => a.Epsilon).ToList();
            AddLine(plot, r, pgd.Count > 0 ? $"PGD-{pgd.Max(p => p.Descriptor.Steps)}" : "PGD", pgd, color, LinePattern.Dashed);
        }

        plot.Title(title);
        plot.XLabel("ε (pixel units, [0,1] scale)");
        plot.YLabel("accuracy");
        plot.Axes.SetLimitsY(0, 1.02);
        plot.ShowLegend(Alignment.UpperRight);
        byte[] png = plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(png));
    }

    private static void AddLine(Plot plot, RobustnessReport report, string label, IReadOnlyList<AttackResult> points, Color color, LinePattern pattern)
    {
        if (points.Count == 0)
        {
            return;
        }

        var xs = new[] { 0.0 }.Concat(points.Select(p => p.Epsilon)).ToArray();
        var ys = new[] { report.CleanAccuracy }.Concat(points.Select(p => p.Accuracy)).ToArray();
        var line = plot.Add.Scatter(xs, ys, color);
        line.LinePattern = pattern;
        line.LegendText = $"{report.Model} {label}";
    }
}
