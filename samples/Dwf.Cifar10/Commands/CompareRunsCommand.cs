using System.CommandLine;
using Dwf.Cifar10.Aggregate;
using Dwf.Robustness.Attacks;
using Dwf.Robustness.Infrastructure;

namespace Dwf.Cifar10.Commands;

/// <summary>
/// <c>compare-runs</c>: pairs a model of each run folder with models of a baseline run folder on the same test images
/// (<see cref="RunsComparison"/>) and prints a Markdown table, also written to <c>--out</c>. Needs no data and trains nothing.
/// </summary>
public static class CompareRunsCommand
{
    public static Command Create()
    {
        var baseline = new Option<string>("--baseline") { Description = "The run folder compared against (holds reports/ and optionally reports-aa-rapid/)", Required = true };
        var baselineModels = new Option<string[]>("--baseline-model") { Description = "Models of the baseline compared against, each its own Holm family (repeat). Default: dwf", AllowMultipleArgumentsPerToken = true };
        var runs = new Option<string[]>("--run") { Description = "Run folders whose model is compared with the baseline's (repeat)", Required = true, AllowMultipleArgumentsPerToken = true };
        var model = new Option<string>("--model") { Description = "The model of each run folder. Default: dwf", DefaultValueFactory = _ => Pipeline.DwfModel };
        var levels = new Option<double>("--epsilon") { Description = "Budget in 1/255 units. Default: 8", DefaultValueFactory = _ => 8 };
        var output = new Option<string?>("--out") { Description = "Also write the table to this Markdown file" };
        var command = new Command("compare-runs", "Compare a model of several run folders with a baseline run on the same images: paired McNemar tests, intervals, Holm.")
        {
            baseline, baselineModels, runs, model, levels, output,
        };
        command.SetAction(p =>
        {
            try
            {
                double epsilon = Epsilon.FromPixelLevels(p.GetValue(levels));
                var models = p.GetValue(baselineModels) is { Length: > 0 } given ? given : [Pipeline.DwfModel];
                var pairs = RunsComparison.Compare(p.GetValue(baseline)!, models, p.GetValue(runs)!, p.GetValue(model)!, epsilon);
                string table = RunsComparison.Render(pairs, p.GetValue(baseline)!, epsilon, "compare-runs " + string.Join(' ', Environment.GetCommandLineArgs().Skip(2)));
                Console.Out.Write(table);
                if (p.GetValue(output) is { } file)
                {
                    AtomicFile.WriteAllText(file, table);
                }

                return 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or System.Text.Json.JsonException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
