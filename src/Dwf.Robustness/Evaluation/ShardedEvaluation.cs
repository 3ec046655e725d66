using System.Text.Json;

namespace Dwf.Robustness.Evaluation;

/// <summary>
/// Merges the reports of the shards of one evaluation (<see cref="EvaluationOptions.Shard"/>) into the report the
/// unsharded evaluation gives: the per-image outcomes of every attack run, and every number computed from them
/// (accuracies, intervals, stages, worst cases per ε, per class), are those of the unsharded run; the warnings are the
/// first shard's image checks, the result checks run again on the merged results, and any other shard's own image
/// findings marked with its shard; the gate's averages are equal up to the order of a floating-point sum; seconds are
/// summed and the time is the latest shard's.
/// </summary>
public static class ShardedEvaluation
{
    /// <summary>Merges every shard's report into one.</summary>
    /// <param name="shards">The reports of shards 0 … n−1 of one evaluation, in any order.</param>
    /// <returns>The report of the whole test subset, without a shard record.</returns>
    /// <exception cref="ArgumentException">A report is not a shard's, a shard is missing or repeated, or the reports
    /// differ in model, data, plan, settings or library version (naming which).</exception>
    public static RobustnessReport Merge(IReadOnlyList<RobustnessReport> shards)
    {
        ArgumentNullException.ThrowIfNull(shards);
        if (shards.Count == 0)
        {
            throw new ArgumentException("No shard reports to merge.", nameof(shards));
        }

        var ordered = Order(shards);
        var first = ordered[0];
        foreach (var other in ordered.Skip(1))
        {
            CheckSameEvaluation(first, other);
        }

        var clean = ordered.SelectMany(r => Decode(r.CleanOutcomes, r, "clean")).ToArray();
        int n = clean.Length;
        var labels = ordered.SelectMany(r => r.Shard!.Labels.Select(l => (long)l)).ToArray();
        var outcomes = Enumerable.Range(0, first.Attacks.Count)
            .Select(a => ordered.SelectMany(r => Decode(r.Attacks[a].Outcomes, r, r.Attacks[a].Attack)).ToArray()).ToList();
        var results = first.Attacks.Select((a, i) =>
        {
            int hits = outcomes[i].Count(c => c);
            return a with { Accuracy = (double)hits / n, Correct = hits, Total = n, Interval = ConfidenceInterval.Wilson(hits, n), Outcomes = SampleOutcomes.From(outcomes[i]) };
        }).ToList();
        var stages = first.Plan.Stages.Select(s => ReportAssembly.StageRecordOf(s.Name, s.Kind, results, outcomes, clean)).ToList();
        var shard0 = first.Shard!;
        var extra = ordered.Skip(1).SelectMany(r => r.Shard!.ImageWarnings.Concat(r.Shard.LateImageWarnings)
            .Where(w => !shard0.ImageWarnings.Contains(w) && !shard0.LateImageWarnings.Contains(w))
            .Select(w => w with { Message = $"shard {r.Shard.Index}/{r.Shard.Count}: {w.Message}" }));
        var warnings = ReportAssembly.Warnings(shard0.ImageWarnings, results, shard0.SanityChecks, shard0.LateImageWarnings).Concat(extra.Distinct()).ToList();
        int cleanCorrect = clean.Count(c => c);
        return first with
        {
            Dataset = shard0.SubsetDescription,
            Samples = n,
            Plan = first.Plan with { Stages = stages },
            CleanAccuracy = (double)cleanCorrect / n,
            CleanInterval = ConfidenceInterval.Wilson(cleanCorrect, n),
            CleanOutcomes = SampleOutcomes.From(clean),
            Attacks = results,
            WorstCase = ReportAssembly.WorstCases(results, outcomes, clean, labels, first.ClassNames.Count),
            PerClassClean = ReportAssembly.PerClass(clean, labels, first.ClassNames.Count),
            Gate = first.Gate is { } gate ? MergeGate(gate, ordered, n) : null,
            Warnings = warnings,
            Seconds = ordered.Sum(r => r.Seconds),
            CreatedUtc = ordered.Max(r => r.CreatedUtc),
            Shard = null,
        };
    }

    /// <summary>The reports sorted by shard index, checked to be shards 0 … n−1 of n, each once, tiling the subset.</summary>
    private static List<RobustnessReport> Order(IReadOnlyList<RobustnessReport> shards)
    {
        if (shards.FirstOrDefault(r => r.Shard is null) is { } whole)
        {
            throw new ArgumentException($"The report of '{whole.Model}' on {whole.Dataset} is not a shard's (it has no shard record): merge only reports made with EvaluationOptions.Shard.", nameof(shards));
        }

        int count = shards[0].Shard!.Count;
        var ordered = shards.OrderBy(r => r.Shard!.Index).ToList();
        var indices = ordered.Select(r => r.Shard!.Index).ToList();
        if (ordered.Any(r => r.Shard!.Count != count) || !indices.SequenceEqual(Enumerable.Range(0, count)))
        {
            throw new ArgumentException(
                $"Merging needs shards 0 … {count - 1} of {count}, each once; got {string.Join(", ", ordered.Select(r => $"{r.Shard!.Index}/{r.Shard.Count}"))}. " +
                "Evaluate the missing shards first.", nameof(shards));
        }

        int next = 0;
        foreach (var r in ordered)
        {
            if (r.Shard!.FirstImage != next || r.Shard.Labels.Count != r.Samples)
            {
                throw new ArgumentException(
                    $"Shard {r.Shard.Index}/{count} starts at image {r.Shard.FirstImage} with {r.Samples} images, but the shards before it end at image {next}: " +
                    "the shards were made with different subsets, batch sizes or BatchesPerBlock.", nameof(shards));
            }

            if (r.Shard.Labels.FirstOrDefault(l => l < 0 || l >= r.ClassNames.Count, -1) is var bad && bad != -1)
            {
                throw new ArgumentException(
                    $"Shard {r.Shard.Index}/{count} records label {bad}, outside the {r.ClassNames.Count} classes of its report: the report is damaged. Evaluate that shard again.", nameof(shards));
            }

            next += r.Samples;
        }

        if (next != ordered[0].Shard!.TotalImages)
        {
            throw new ArgumentException($"The shards cover {next} images of the subset's {ordered[0].Shard!.TotalImages}.", nameof(shards));
        }

        return ordered;
    }

    private static void CheckSameEvaluation(RobustnessReport a, RobustnessReport b)
    {
        void Same<T>(string what, T x, T y)
        {
            string jx = JsonSerializer.Serialize<object?>(x, ReportJson.SerializerOptions), jy = JsonSerializer.Serialize<object?>(y, ReportJson.SerializerOptions);
            if (jx != jy)
            {
                throw new ArgumentException(
                    $"Shard {b.Shard!.Index}/{b.Shard.Count} differs from shard {a.Shard!.Index}/{a.Shard.Count} in its {what} ({jy} vs {jx}): " +
                    "all shards of one evaluation must use the same model, data, plan, settings and library build.", "shards");
            }
        }

        Same("model", a.Model, b.Model);
        Same("data (SHA-256 of the whole subset)", a.DataSha256, b.DataSha256);
        Same("subset", a.Shard!.SubsetDescription, b.Shard!.SubsetDescription);
        Same("threat model", a.ThreatModel, b.ThreatModel);
        Same<object>("plan", new { a.Plan.Name, Stages = a.Plan.Stages.Select(s => new { s.Name, s.Kind, s.Attacks }) }, new { b.Plan.Name, Stages = b.Plan.Stages.Select(s => new { s.Name, s.Kind, s.Attacks }) });
        Same<object>("attack runs", a.Attacks.Select(r => new { r.Attack, r.Descriptor, r.Stage, r.Kind, r.Surrogate }), b.Attacks.Select(r => new { r.Attack, r.Descriptor, r.Stage, r.Kind, r.Surrogate }));
        Same("settings", a.Options, b.Options);
        Same("class names", a.ClassNames, b.ClassNames);
        Same("model description", a.ModelInfo, b.ModelInfo);
        Same("library versions", a.Versions, b.Versions);
        Same<object?>("gate", a.Gate is null ? null : new { a.Gate.Experts, a.Gate.AttackedBy }, b.Gate is null ? null : new { b.Gate.Experts, b.Gate.AttackedBy });
        Same("sanity checks", a.Shard.SanityChecks, b.Shard.SanityChecks);
    }

    private static bool[] Decode(SampleOutcomes? outcomes, RobustnessReport shard, string what) =>
        outcomes?.ToArray() is { } values && values.Length == shard.Samples
            ? values
            : throw new ArgumentException($"Shard {shard.Shard!.Index}/{shard.Shard.Count} has no per-image outcomes of {what} for its {shard.Samples} images.", "shards");

    private static GateReport MergeGate(GateReport gate, IReadOnlyList<RobustnessReport> shards, int n)
    {
        int experts = gate.Experts.Count;
        var clean = new double[experts];
        var attacked = new double[experts];
        long attackedImages = 0;
        foreach (var s in shards.Select(r => r.Shard!))
        {
            if (s.GateCleanSums.Count != experts || s.GateAttackedSums.Count != experts)
            {
                throw new ArgumentException($"Shard {s.Index}/{s.Count} has gate sums for {s.GateCleanSums.Count} experts, the gate {experts}.", "shards");
            }

            for (int e = 0; e < experts; e++)
            {
                clean[e] += s.GateCleanSums[e];
                attacked[e] += s.GateAttackedSums[e];
            }

            attackedImages += s.GateAttackedImages;
        }

        return gate with
        {
            Clean = clean.Select(x => x / n).ToArray(),
            Attacked = attacked.Select(x => attackedImages == 0 ? double.NaN : x / attackedImages).ToArray(),
        };
    }
}
