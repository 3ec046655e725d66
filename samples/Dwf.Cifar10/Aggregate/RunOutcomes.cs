using Dwf.Robustness.Evaluation;

namespace Dwf.Cifar10.Aggregate;

/// <summary>One model's outcomes read from a run folder, with the images they are of.</summary>
/// <param name="Outcomes">Per-image clean and robust outcomes.</param>
/// <param name="DataSha256">The evaluated images' hash: outcomes pair only when it is equal.</param>
/// <param name="Dataset">The images' description.</param>
public sealed record RunModelOutcomes(ModelOutcomes Outcomes, string DataSha256, string Dataset);

/// <summary>
/// Reads a model's per-image outcomes at one budget from a run folder's reports: robust = correct when clean and under
/// every attack of the paper plan at ε, and, when asked, of aa-rapid run on the paper plan's survivors
/// (reports-aa-rapid/). The one place the study aggregation and <c>compare-runs</c> read outcomes.
/// </summary>
public static class RunOutcomes
{
    /// <summary>The model's paper-plan report.</summary>
    public static string PaperReport(RunFolder run, string model) => run.Report(model, "json", PlanKind.Paper);

    /// <summary>The model's aa-rapid report.</summary>
    public static string RapidReport(RunFolder run, string model) => run.Report(model, "json", PlanKind.AutoAttackRapid);

    /// <summary>Whether the model has a paper-plan report (and an aa-rapid one when <paramref name="withRapid"/>).</summary>
    public static bool Has(RunFolder run, string model, bool withRapid) =>
        File.Exists(PaperReport(run, model)) && (!withRapid || File.Exists(RapidReport(run, model)));

    /// <summary>Reads the model's outcomes at <paramref name="epsilon"/>, combined with aa-rapid's when <paramref name="withRapid"/>.</summary>
    /// <exception cref="InvalidDataException">A report is missing its per-image outcomes or the budget, or the two reports are of other images.</exception>
    public static RunModelOutcomes Read(RunFolder run, string model, double epsilon, bool withRapid)
    {
        string paperPath = PaperReport(run, model);
        if (!File.Exists(paperPath))
        {
            throw new FileNotFoundException($"No report of '{model}' in {run.Root} ({paperPath}); evaluate it first.", paperPath);
        }

        var paper = ReportJson.Read(paperPath);
        var robust = Robust(paper, epsilon, paperPath);
        if (withRapid)
        {
            string rapidPath = RapidReport(run, model);
            if (!File.Exists(rapidPath))
            {
                throw new FileNotFoundException($"No aa-rapid report of '{model}' in {run.Root} ({rapidPath}).", rapidPath);
            }

            var rapid = ReportJson.Read(rapidPath);
            if (rapid.DataSha256 != paper.DataSha256)
            {
                throw new InvalidDataException($"{rapidPath} is of other images than {paperPath}.");
            }

            robust = SampleOutcomes.CorrectUnderAll([robust, Robust(rapid, epsilon, rapidPath)]);
        }

        var clean = paper.CleanOutcomes?.ToArray() ?? throw new InvalidDataException($"{paperPath} has no per-image clean outcomes (schema 1); evaluate again.");
        return new RunModelOutcomes(new ModelOutcomes(model, robust, clean, withRapid), paper.DataSha256 ?? "", paper.Dataset);
    }

    private static bool[] Robust(RobustnessReport report, double epsilon, string path) =>
        report.WorstCaseAt(epsilon)?.Outcomes?.ToArray()
        ?? throw new InvalidDataException($"{path} has no per-image worst case at ε = {epsilon:0.####}; the measure needs it.");
}
