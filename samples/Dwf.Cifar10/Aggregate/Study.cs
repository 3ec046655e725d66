using System.Text.Json;
using System.Text.Json.Nodes;
using Dwf.Robustness.Evaluation;

namespace Dwf.Cifar10.Aggregate;

/// <summary>One model's per-image outcomes at the headline budget in one replicate.</summary>
/// <param name="Model">The model's name in the run folder.</param>
/// <param name="Robust">Per image: correct when clean and under every attack at ε (both plans when <paramref name="WithRapid"/>).</param>
/// <param name="Clean">Per image: correct on the clean image.</param>
/// <param name="WithRapid">Whether aa-rapid on the paper plan's survivors is included.</param>
public sealed record ModelOutcomes(string Model, bool[] Robust, bool[] Clean, bool WithRapid);

/// <summary>One finished replicate of a study.</summary>
/// <param name="Others">Models evaluated in the replicate that play no role (the rivals of <c>compare</c>, every expert with EvalAllExperts), by name.</param>
public sealed record ReplicateRun(int Index, string Folder, long Seed, string? BestExpert, IReadOnlyDictionary<StudyRole, ModelOutcomes> Roles,
    IReadOnlyDictionary<StudyRole, IReadOnlyList<ValidationPoint>> Curves, string Machine, string Dataset, string DataSha256,
    IReadOnlyDictionary<string, ModelOutcomes> Others);

/// <summary>
/// A study folder: the replicates of one configuration (<c>reproduce --replicates</c> or <c>--replicate</c>), read
/// back from their reports. Replicates must share every setting but their seed, and be evaluated on the same images.
/// </summary>
public sealed record Study(string Folder, RunConfig Config, IReadOnlyList<ReplicateRun> Replicates, IReadOnlyList<string> Unfinished)
{

    /// <summary>Per replicate, in replicate order, the robust outcomes of the model <paramref name="model"/> picks from it (its clean ones when <paramref name="clean"/>).</summary>
    /// <param name="model">The model's outcomes in one replicate (a role's, or another model's by name).</param>
    /// <param name="clean">Clean outcomes instead of robust ones.</param>
    public IReadOnlyList<IReadOnlyList<bool>> Outcomes(Func<ReplicateRun, ModelOutcomes> model, bool clean = false) =>
        Replicates.Select(r => (IReadOnlyList<bool>)(clean ? model(r).Clean : model(r).Robust)).ToList();

    /// <summary>Reads every <c>replicate-*</c> folder of <paramref name="folder"/> at budget <paramref name="epsilon"/>.</summary>
    public static Study Read(string folder, double epsilon)
    {
        string root = Path.GetFullPath(folder);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"No study folder at '{root}'. Pass the --run folder the replicates were trained in (it holds replicate-0, replicate-1, …).");
        }

        var folders = Directory.GetDirectories(root, "replicate-*")
            .Select(f => (Folder: f, Index: int.TryParse(Path.GetFileName(f)["replicate-".Length..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int i) ? i : -1))
            .Where(x => x.Index >= 0).OrderBy(x => x.Index).ToList();
        if (folders.Count == 0)
        {
            throw new InvalidDataException($"'{root}' holds no replicate-<r> folder; train replicates with reproduce --replicates K (or --replicate r) --run {root}.");
        }

        RunConfig? first = null;
        string? firstIdentity = null;
        var replicates = new List<ReplicateRun>();
        var unfinished = new List<string>();
        foreach (var (path, index) in folders)
        {
            var run = new RunFolder(path);
            if (!File.Exists(run.Config))
            {
                unfinished.Add($"{Path.GetFileName(path)}: no config.json");
                continue;
            }

            var config = RunConfigJson.Read(File.ReadAllText(run.Config), run.Config);
            string identity = Identity(run.Config);
            if (first is null)
            {
                (first, firstIdentity) = (config, identity);
            }
            else if (identity != firstIdentity)
            {
                throw new InvalidDataException(
                    $"{run.Config} differs from the first replicate's configuration in more than its seed; a study's replicates must share every other setting. Put it in another study folder.");
            }

            if (config.Replicate != index)
            {
                throw new InvalidDataException($"{run.Config} records replicate {config.Replicate?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, but its folder is {Path.GetFileName(path)}.");
            }

            var replicate = ReadReplicate(run, config, index, epsilon, out string? missing);
            if (replicate is null)
            {
                unfinished.Add($"{Path.GetFileName(path)}: {missing}");
            }
            else
            {
                replicates.Add(replicate);
            }
        }

        if (first is null)
        {
            throw new InvalidDataException($"No replicate of '{root}' has a config.json.");
        }

        var hashes = replicates.Select(r => r.DataSha256).Distinct().ToList();
        if (hashes.Count > 1)
        {
            throw new InvalidDataException($"The replicates of '{root}' were evaluated on different test images (data SHA-256 {string.Join(", ", hashes)}); a crossed comparison needs the same images.");
        }

        return new Study(root, first, replicates, unfinished);
    }

    /// <summary>
    /// config.json without what differs between replicates (seed, index, folder), read into a <see cref="RunConfig"/>
    /// first, so a replicate written before the option records were nested compares equal to one written after.
    /// </summary>
    private static string Identity(string configPath)
    {
        var config = RunConfigJson.Read(File.ReadAllText(configPath), configPath);
        var node = JsonSerializer.SerializeToNode(config, RunConfigJson.Options)!.AsObject();
        node.Remove(nameof(RunConfig.Seed));
        node.Remove(nameof(RunConfig.Replicate));
        node.Remove(nameof(RunConfig.RunFolder));
        return node.ToJsonString();
    }

    private static ReplicateRun? ReadReplicate(RunFolder run, RunConfig config, int index, double epsilon, out string? missing)
    {
        missing = null;
        var selection = File.Exists(run.Selection) ? ExpertSelection.FromJson(File.ReadAllText(run.Selection)) : null;
        var roles = new Dictionary<StudyRole, ModelOutcomes>();
        var others = new Dictionary<string, ModelOutcomes>(StringComparer.Ordinal);
        string? hash = null, dataset = null;
        string reports = Path.GetDirectoryName(run.Report(Pipeline.DwfModel, "json", PlanKind.Paper))!;
        var evaluated = Directory.Exists(reports)
            ? Directory.GetFiles(reports, "*.json").Where(f => !f.EndsWith(".state.json", StringComparison.Ordinal)).Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal).ToList()
            : [];
        var roleModels = StudyRoles.All.Select(role => (Role: (StudyRole?)role, Model: StudyRoles.Model(role, selection?.BestExpert))).ToList();
        var byName = roleModels.Where(x => x.Model is not null).GroupBy(x => x.Model!).ToDictionary(g => g.Key, g => g.First().Role);
        foreach (var (role, model) in roleModels.Concat(evaluated.Where(m => !byName.ContainsKey(m)).Select(m => (Role: (StudyRole?)null, Model: (string?)m))))
        {
            string paperPath = model is null ? "" : RunOutcomes.PaperReport(run, model);
            if (model is null || !File.Exists(paperPath))
            {
                if (role == StudyRole.Dwf)
                {
                    missing = $"no report of DWF ({paperPath})";
                    return null;
                }

                continue;
            }

            if (config.Eval.RapidOnSurvivors && !RunOutcomes.Has(run, model, withRapid: true))
            {
                missing = $"no aa-rapid report of {model} yet ({RunOutcomes.RapidReport(run, model)})";
                return null;
            }

            var read = RunOutcomes.Read(run, model, epsilon, config.Eval.RapidOnSurvivors);
            if (hash is not null && read.DataSha256 != hash)
            {
                throw new InvalidDataException($"{paperPath} is of other test images than DWF's report in {run.Root}.");
            }

            hash ??= read.DataSha256;
            dataset ??= read.Dataset;
            var outcomes = read.Outcomes;
            if (role is { } r)
            {
                roles[r] = outcomes;
            }
            else
            {
                others[model] = outcomes;
            }
        }

        var curves = new Dictionary<StudyRole, IReadOnlyList<ValidationPoint>>();
        foreach (var role in new[] { StudyRole.EqualCompute, StudyRole.Wide })
        {
            string path = run.ValidationCurve(StudyRoles.Model(role, null)!);
            if (File.Exists(path))
            {
                curves[role] = ValidationCurve.Read(path);
            }
        }

        string machine = File.Exists(run.Log)
            ? File.ReadLines(run.Log).Select(l => l.IndexOf("machine: ", StringComparison.Ordinal) is int i and >= 0 ? l[(i + 9)..].Split("; data:")[0] : null).FirstOrDefault(m => m is not null) ?? "unknown"
            : "unknown";
        return new ReplicateRun(index, run.Root, config.Seed, selection?.BestExpert, roles, curves, machine, dataset ?? "", hash ?? "", others);
    }
}
