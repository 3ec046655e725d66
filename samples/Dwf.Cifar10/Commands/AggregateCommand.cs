using System.CommandLine;
using System.Text.Json;
using Dwf.Cifar10.Aggregate;
using Dwf.Robustness.Defaults;
using Dwf.Robustness.Infrastructure;
using Dwf.Robustness.Plotting;

namespace Dwf.Cifar10.Commands;

/// <summary>
/// <c>aggregate</c>: reads the replicates of one or more study folders (each trained with <c>--replicates</c> or
/// <c>--replicate</c>, one study per budget) and writes aggregate.md, aggregate.json and aggregate.png: accuracies
/// with intervals over replicates and images, and the pre-registered claims decided with both sources of variation.
/// Needs no data and trains nothing.
/// </summary>
public static class AggregateCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static Command Create()
    {
        var studies = new Option<string[]>("--study") { Description = "A study folder holding replicate-0, replicate-1, … (repeat for several budgets)", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<string?>("--out") { Description = "Folder for aggregate.md, .json and .png. Default: the first study's parent folder" };
        var command = new Command("aggregate", "Combine training replicates: accuracies and the pre-registered claims with intervals over replicates and test images (docs/results/scaling).") { studies, output };
        command.SetAction(p =>
        {
            try
            {
                Run(p.GetValue(studies)!, p.GetValue(output), "aggregate " + string.Join(' ', Environment.GetCommandLineArgs().Skip(2)));
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or JsonException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>Reads <paramref name="folders"/>, writes the three files into <paramref name="output"/> (default: the first study's parent) and returns the claims.</summary>
    public static IReadOnlyList<StudyClaim> Run(IReadOnlyList<string> folders, string? output, string command)
    {
        if (folders.Count == 0)
        {
            throw new ArgumentException("Pass at least one --study folder.");
        }

        double epsilon = PaperDefaults.PgdEpsilon;
        var studies = folders.Select(f => Study.Read(f, epsilon)).OrderBy(s => s.Config.ExpertEpochs).ThenBy(s => s.Config.Joint.Epochs).ToList();
        var claims = StudyClaims.Decide(studies);
        string outFolder = Path.GetFullPath(output ?? Path.GetDirectoryName(studies[0].Folder)!);
        Directory.CreateDirectory(outFolder);
        AtomicFile.WriteAllText(Path.Combine(outFolder, "aggregate.md"), AggregateTable.Render(studies, claims, epsilon, command));
        AtomicFile.WriteAllText(Path.Combine(outFolder, "aggregate.json"), JsonSerializer.Serialize(claims.Select(c => new
        {
            Study = Path.GetFileName(c.Study.Folder),
            c.Study.Config.ExpertEpochs,
            c.Study.Config.Joint.Epochs,
            Rival = c.Rival.ToString(),
            c.Effect,
            c.HolmP,
            c.OverfitRival,
            c.Verdict,
        }), Json));
        var series = StudyRoles.Claims.Select(rival => (rival, points: claims.Where(c => c.Rival == rival).ToList()))
            .Where(x => x.points.Count > 0)
            .Select(x => new EffectSeries("DWF − " + StudyRoles.Label(x.rival), x.points.Select(c => (double)c.Study.Config.ExpertEpochs).ToList(), x.points.Select(c => c.Effect).ToList()))
            .ToList();
        if (series.Count > 0)
        {
            EffectPlot.SavePng(series, Path.Combine(outFolder, "aggregate.png"), "training budget: epochs per expert (the joint phase's epochs scale with it)", "difference in robust accuracy at 8/255 (points)",
                "DWF minus each rival, mean over replicates and images, 95% intervals");
        }

        Console.WriteLine($"aggregate: {studies.Sum(s => s.Replicates.Count)} replicate(s) in {studies.Count} study folder(s); {claims.Count} claim(s); {Path.Combine(outFolder, "aggregate.md")}");
        foreach (var c in claims)
        {
            Console.WriteLine(FormattableString.Invariant($"  {AggregateTable.Budget(c.Study)}, DWF − {StudyRoles.Label(c.Rival)}: {100 * c.Effect.Estimate:+0.0;-0.0} ({100 * c.Effect.Interval.Lower:+0.0;-0.0} to {100 * c.Effect.Interval.Upper:+0.0;-0.0}), Holm p = {c.HolmP:0.0000}: {c.Verdict}"));
        }

        return claims;
    }
}
