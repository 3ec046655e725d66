using System.Text.Json;
using System.Text.Json.Nodes;
using Dwf.Robustness.Infrastructure;

namespace Dwf.Cifar10;

/// <summary>Everything of a run lives under one folder; this class names the files.</summary>
public sealed class RunFolder(string root)
{

    public string Root { get; } = Path.GetFullPath(root);

    public string Config => Path.Combine(Root, "config.json");

    public string Log => Path.Combine(Root, "log.txt");

    public string ExpertCheckpoint(string name) => Path.Combine(Root, "experts", $"{name}.ckpt");

    public string ExpertWeights(string name) => Path.Combine(Root, "experts", $"{name}.bin");

    /// <summary>The lock file a process holds while it trains expert <paramref name="name"/> (<see cref="ExpertClaim"/>).</summary>
    public string ExpertLock(string name) => Path.Combine(Root, "experts", $".{name}.lock");

    public string MixtureCheckpoint(string name) => Path.Combine(Root, "joint", $"{name}.ckpt");

    public string MixtureWeights(string name) => Path.Combine(Root, "joint", $"{name}.bin");

    /// <summary>The relative weight change of every expert in the joint phase (JSON: expert name → ‖θ − θ₀‖/‖θ₀‖).</summary>
    public string MixtureDrift(string name) => Path.Combine(Root, "joint", $"{name}.drift.json");

    /// <summary>A control model's weights (controls/NAME.bin).</summary>
    public string ControlWeights(string name) => Path.Combine(Root, "controls", $"{name}.bin");

    /// <summary>A control's validation accuracy during training (<see cref="ValidationCurve"/>).</summary>
    public string ValidationCurve(string name) => Path.Combine(Root, "controls", $"{name}.validation.json");

    /// <summary>A control model's training checkpoint.</summary>
    public string ControlCheckpoint(string name) => Path.Combine(Root, "controls", $"{name}.ckpt");

    /// <summary>A baseline of <c>compare</c> (baselines/NAME.bin).</summary>
    public string BaselineWeights(string name) => Path.Combine(Root, "baselines", $"{name}.bin");

    /// <summary>A baseline's training checkpoint.</summary>
    public string BaselineCheckpoint(string name) => Path.Combine(Root, "baselines", $"{name}.ckpt");

    /// <summary>The table of <c>compare</c>.</summary>
    public string Compare => Path.Combine(Root, "compare.md");

    /// <summary>The experts' scores on the validation split and the choice of the best expert (JSON).</summary>
    public string Selection => Path.Combine(Root, "selection.json");

    public string Report(string model, string extension) => Path.Combine(Root, "reports", $"{model}.{extension}");

    /// <summary>
    /// A model's report under <paramref name="plan"/>: reports/ for the paper plan, reports-&lt;plan&gt;/ for the others,
    /// with -l2 for the L2 threat model; a shard's report in shards/ below that, named after the shard.
    /// </summary>
    public string Report(string model, string extension, Dwf.Robustness.Evaluation.PlanKind plan,
        Dwf.Robustness.Attacks.ThreatModel threat = Dwf.Robustness.Attacks.ThreatModel.Linf, Dwf.Robustness.Evaluation.EvaluationShard? shard = null)
    {
        string folder = Path.Combine(Root, ReportsFolder(plan, threat));
        return shard is null
            ? Path.Combine(folder, $"{model}.{extension}")
            : Path.Combine(folder, "shards", $"{model}.shard-{shard.Index}-of-{shard.Count}.{extension}");
    }

    /// <summary>results.md for the paper plan, results-&lt;plan&gt;[-l2].md for the others.</summary>
    public string ResultsFor(Dwf.Robustness.Evaluation.PlanKind plan, Dwf.Robustness.Attacks.ThreatModel threat = Dwf.Robustness.Attacks.ThreatModel.Linf) =>
        plan == Dwf.Robustness.Evaluation.PlanKind.Paper ? Results : Path.Combine(Root, $"results-{ReportsFolder(plan, threat)["reports-".Length..]}.md");

    private static string ReportsFolder(Dwf.Robustness.Evaluation.PlanKind plan, Dwf.Robustness.Attacks.ThreatModel threat) =>
        plan == Dwf.Robustness.Evaluation.PlanKind.Paper
            ? "reports"
            : $"reports-{EvaluationPlanNames.Name(plan)}{(threat == Dwf.Robustness.Attacks.ThreatModel.L2 ? "-l2" : "")}";

    public string Results => Path.Combine(Root, "results.md");

    public string Plot => Path.Combine(Root, "accuracy.png");

    /// <summary>Saves the configuration, or checks it against the one already saved (a folder holds one run).</summary>
    public void SaveOrCheck(RunConfig config)
    {
        Directory.CreateDirectory(Root);
        string json = JsonSerializer.Serialize(config with { RunFolder = "." }, RunConfigJson.Options);
        if (File.Exists(Config))
        {
            // Settings added since the folder was written are missing from its config.json: they take the value the
            // run's preset gives them now, so an older run folder still resumes unless a setting it recorded differs.
            // Files written before the option records were nested are read through the legacy key map.
            var saved = RunConfigJson.Upgrade(RunConfigJson.Parse(File.ReadAllText(Config), Config));
            var preset = JsonSerializer.SerializeToNode(Presets.Create(config.Preset, config.Data, Root) with { RunFolder = "." }, RunConfigJson.Options)!.AsObject();
            var unknown = RunConfigJson.Unknown(saved, preset).ToList();
            if (unknown.Count > 0)
            {
                throw new InvalidOperationException(
                    $"The run folder '{Root}' records settings this version does not have ({string.Join(", ", unknown)}); it was written by another version. Use another --run folder.");
            }

            RunConfigJson.Fill(saved, preset);
            var current = JsonNode.Parse(json)!.AsObject();
            var normalized = JsonSerializer.SerializeToNode(saved.Deserialize<RunConfig>(RunConfigJson.Options)! with { RunFolder = "." }, RunConfigJson.Options)!.AsObject();
            var differences = RunConfigJson.Differences(normalized, current);
            if (differences.Count > 0)
            {
                throw new InvalidOperationException(
                    $"The run folder '{Root}' holds a run with other settings ({string.Join("; ", differences)}). " +
                    "Use another --run folder, or delete this one to start over.");
            }

            return;
        }

        AtomicFile.WriteAllText(Config, json);
    }
}
