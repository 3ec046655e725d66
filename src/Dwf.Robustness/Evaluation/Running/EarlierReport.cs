namespace Dwf.Robustness.Evaluation;

/// <summary>The report an evaluation continues from (<see cref="EvaluationOptions.After"/>): checked to be of the same images and model, and read for its survivors.</summary>
internal static class EarlierReport
{
    /// <summary>
    /// Per attack run, the images <paramref name="earlier"/> leaves robust at the run's ε (runs of one ε share one
    /// array); throws when that report is of other data or another model name, or lacks a worst case at some ε of the plan.
    /// </summary>
    public static bool[][] Survivors(RobustnessReport earlier, EvaluationRun run)
    {
        var units = run.Units;
        string modelName = run.Call.ModelName;
        if (earlier.DataSha256 != run.DataHash || !Covers(earlier, run))
        {
            throw new ArgumentException(
                $"The earlier report (EvaluationOptions.After) is of other data: {earlier.Samples} images{(earlier.Shard is { } s ? $" from image {s.FirstImage + 1}" : "")}, " +
                $"data SHA-256 {earlier.DataSha256 ?? "none (schema 1)"}; this evaluation has {run.Count} images from image {run.FirstImage + 1} of {run.TotalImages}, {run.DataHash}. " +
                "Pass a report made on the same test subset (same PerClass/FirstN): the whole subset's, or the same shard's.", nameof(EvaluationOptions.After));
        }

        if (earlier.Model != modelName)
        {
            throw new ArgumentException(
                $"The earlier report (EvaluationOptions.After) is of model '{earlier.Model}', this evaluation of '{modelName}': pass that model's own report.", nameof(EvaluationOptions.After));
        }

        static string Eps(double e) => e.ToString("0.#####", System.Globalization.CultureInfo.InvariantCulture);
        var decoded = new Dictionary<WorstCase, bool[]>(ReferenceEqualityComparer.Instance);
        return units.Select(u => earlier.WorstCaseAt(u.Attack.Descriptor.Epsilon) is { Outcomes: { } o } w
                ? decoded.TryGetValue(w, out var known) ? known : decoded[w] = Mine(o, earlier, run)
                : throw new ArgumentException(
                    $"The earlier report (EvaluationOptions.After) has no worst case at ε = {Eps(u.Attack.Descriptor.Epsilon)}, " +
                    $"which {u.Name} attacks (it has ε = {string.Join(", ", earlier.WorstCase.Select(x => Eps(x.Epsilon)))}). " +
                    "Continue only from a report that evaluated every budget of this plan.", nameof(EvaluationOptions.After))).ToArray();
    }

    /// <summary>The earlier report's clean outcomes of this run's images.</summary>
    public static bool[]? Clean(RobustnessReport earlier, EvaluationRun run) => earlier.CleanOutcomes is { } o ? Mine(o, earlier, run) : null;

    /// <summary>Whether <paramref name="earlier"/> has outcomes for this run's images: the same images (the same shard, or both whole), or the whole subset of this shard.</summary>
    private static bool Covers(RobustnessReport earlier, EvaluationRun run) =>
        (earlier.Samples == run.Count && (earlier.Shard?.FirstImage ?? 0) == run.FirstImage) ||
        (earlier.Shard is null && earlier.Samples == run.TotalImages);

    /// <summary>The outcomes of this run's images among <paramref name="outcomes"/> of <paramref name="earlier"/>.</summary>
    private static bool[] Mine(SampleOutcomes outcomes, RobustnessReport earlier, EvaluationRun run)
    {
        var all = outcomes.ToArray();
        return earlier.Samples == run.Count ? all : all.AsSpan(run.FirstImage, run.Count).ToArray();
    }
}
