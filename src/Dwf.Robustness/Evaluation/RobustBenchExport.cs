using Dwf.Robustness.Attacks;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dwf.Robustness.Evaluation;

/// <summary>
/// A report in the fields of RobustBench's model-info files (<c>model_info/cifar10/Linf/*.json</c>: link, name,
/// authors, additional_data, number_forward_passes, dataset, venue, architecture, eps, clean_acc, reported,
/// autoattack_acc). <c>autoattack_acc</c> is filled only from an AutoAttack plan (aa-standard; aa-rapid is
/// marked in a footnote), never from FGSM/PGD; accuracies are percentages with two decimals, as RobustBench writes them.
/// </summary>
public static class RobustBenchExport
{
    /// <summary>The model-info object.</summary>
    /// <param name="report">A schema-2 report.</param>
    /// <param name="epsilon">The budget whose worst case is reported (±1e-9).</param>
    /// <param name="name">Paper or model title.</param>
    /// <param name="authors">Authors.</param>
    /// <param name="link">URL of the paper or code.</param>
    /// <param name="venue">Venue; empty when unpublished.</param>
    /// <param name="reported">The robust accuracy the authors report, in %, or null when none.</param>
    /// <param name="additionalData">Whether training used data beyond CIFAR-10's training set.</param>
    /// <exception cref="ArgumentException">The report has no worst case at <paramref name="epsilon"/>.</exception>
    public static JsonObject ToModelInfo(RobustnessReport report, double epsilon, string name, string authors, string link,
        string venue = "", double? reported = null, bool additionalData = false)
    {
        ArgumentNullException.ThrowIfNull(report);
        var worst = report.WorstCaseAt(epsilon)
            ?? throw new ArgumentException($"The report has no worst case at ε={epsilon.ToString(CultureInfo.InvariantCulture)}; it has {string.Join(", ", report.WorstCase.Select(w => w.Epsilon.ToString("0.####", CultureInfo.InvariantCulture)))}.", nameof(epsilon));
        bool autoAttack = report.Plan.Name is "aa-standard" or "aa-rapid";
        var info = new JsonObject
        {
            ["link"] = link,
            ["name"] = name,
            ["authors"] = authors,
            ["additional_data"] = additionalData,
            ["number_forward_passes"] = report.ModelInfo?.ForwardPassesPerPrediction ?? 1,
            ["dataset"] = "cifar10",
            ["venue"] = venue,
            ["architecture"] = report.ModelInfo?.Architecture ?? report.Model,
            ["eps"] = Fraction255(epsilon),
            ["clean_acc"] = Percent(report.CleanAccuracy),
            ["reported"] = reported is { } r ? r.ToString("0.##", CultureInfo.InvariantCulture) : "",
            ["autoattack_acc"] = autoAttack ? Percent(worst.Accuracy) : "",
        };
        var notes = new List<string> { $"Evaluated by Dwf.Robustness on {report.Samples} images ({report.Dataset}), plan {report.Plan.Name}." };
        if (report.Plan.Name == "aa-rapid")
        {
            notes.Add("APGD-CE and APGD-T (3 targets) only: an upper bound on AutoAttack's robust accuracy.");
        }
        else if (report.Plan.Name == "aa-standard")
        {
            bool fabT = report.Plan.Stages.SelectMany(s => s.Attacks).Any(d => d.Family == AttackFamily.Fab && d.TargetClasses > 0);
            notes.Add(fabT ? "AutoAttack standard (APGD-CE, APGD-T, FAB-T, Square)." : "AutoAttack standard without FAB-T (a report written before FAB-T existed).");
        }
        else
        {
            notes.Add("No AutoAttack plan was run; autoattack_acc is empty.");
        }

        info["footnote"] = string.Join(" ", notes);
        return info;
    }

    /// <summary>The model-info JSON text.</summary>
    /// <param name="info">From <see cref="ToModelInfo"/>.</param>
    public static string Serialize(JsonObject info) =>
        info.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static string Percent(double accuracy) => (100 * accuracy).ToString("0.00", CultureInfo.InvariantCulture);

    private static string Fraction255(double epsilon)
    {
        double levels = epsilon * 255;
        return Math.Abs(levels - Math.Round(levels)) < 1e-6
            ? $"{Math.Round(levels).ToString(CultureInfo.InvariantCulture)}/255"
            : epsilon.ToString("0.######", CultureInfo.InvariantCulture);
    }
}
