using Dwf.Robustness.Attacks;
using Dwf.Robustness.Evaluation;

namespace Dwf.Cifar10;

/// <summary>
/// <c>evaluate --merge-shards n</c>: for every model with shard reports under a plan, the n shards' reports merged
/// (<see cref="ShardedEvaluation.Merge"/>) into the model's report, as if it had been evaluated in one process.
/// </summary>
public static class ShardMerge
{
    /// <summary>Merges every model's shards of <paramref name="plan"/>; returns the models merged. A model whose report exists is left alone.</summary>
    /// <exception cref="InvalidOperationException">No shard reports, shards of another count, or a model with some of the <paramref name="count"/> shard reports but not all (naming the missing ones).</exception>
    public static IReadOnlyList<string> MergeAll(RunFolder folder, PlanKind plan, ThreatModel threat, int count)
    {
        string first = folder.Report("MODEL", "json", plan, threat, new EvaluationShard(0, count));
        string shards = Path.GetDirectoryName(first)!;
        string suffix = Path.GetFileName(first)["MODEL".Length..];
        var made = Directory.Exists(shards) ? Directory.EnumerateFiles(shards, "*.shard-*-of-*.json").Select(Path.GetFileName).ToList() : [];
        if (made.Count == 0)
        {
            throw new InvalidOperationException($"--merge-shards {count}: no shard reports in {shards}. Run evaluate --shard i/{count} for i = 0 … {count - 1} first (same --plan, --threat-model and --set).");
        }

        if (made.FirstOrDefault(f => !f!.Contains($"-of-{count}.", StringComparison.Ordinal)) is { } other)
        {
            throw new InvalidOperationException($"--merge-shards {count}: {shards} holds {other}, a shard of another count. Merge with the count the shards were made with.");
        }

        var merged = new List<string>();
        foreach (string model in Directory.EnumerateFiles(shards, "*" + suffix).Select(f => Path.GetFileName(f)[..^suffix.Length]).Order(StringComparer.Ordinal))
        {
            string json = folder.Report(model, "json", plan, threat);
            if (File.Exists(json))
            {
                Console.WriteLine($"report {model}: done earlier ({json}); its shards are not merged again");
                continue;
            }

            var paths = Enumerable.Range(0, count).Select(i => folder.Report(model, "json", plan, threat, new EvaluationShard(i, count))).ToList();
            var missing = paths.Where(p => !File.Exists(p)).ToList();
            if (missing.Count > 0)
            {
                throw new InvalidOperationException(
                    $"{model}: {missing.Count} of {count} shard reports are missing ({string.Join(", ", missing.Select(Path.GetFileName))}). " +
                    "Run evaluate --shard i/n for each missing shard first (with the same settings), then merge again.");
            }

            var report = ShardedEvaluation.Merge(paths.Select(ReportJson.Read).ToList());
            ReportJson.Write(report, json);
            ReportMarkdown.Write(report, folder.Report(model, "md", plan, threat));
            merged.Add(model);
            Console.WriteLine($"report {model}: merged from {count} shards ({json})");
        }

        return merged;
    }
}
