namespace Dwf.Robustness.Evaluation;

/// <summary>The report an evaluation continues from (<see cref="EvaluationOptions.After"/>): checked to be of the same images and model, and read for its survivors.</summary>
internal static class EarlierReport
{
    /// <summary>
    /// Per attack run, the images <paramref name="earlier"/> leaves robust at the run's ε (runs of one ε share one
    /// array); throws when that report is of other data or another model name, or lacks a worst case at some ε of the plan.
    /// </summary>
    public static bool[][] Survivors(RobustnessReport earlier, IReadOnlyList<EvaluationUnit> units, string dataHash, string modelName, int n)
    {
        if (earlier.DataSha256 != dataHash || earlier.Samples != n)
        {
            throw new ArgumentException(
                $"The earlier report (EvaluationOptions.After) is of other data: {earlier.Samples} images, data SHA-256 {earlier.DataSha256 ?? "none (schema 1)"}; " +
                $"this evaluation has {n} images, {dataHash}. Pass a report made on the same test subset (same PerClass/FirstN).", nameof(EvaluationOptions.After));
        }

        if (earlier.Model != modelName)
        {
            throw new ArgumentException(
                $"The earlier report (EvaluationOptions.After) is of model '{earlier.Model}', this evaluation of '{modelName}': pass that model's own report.", nameof(EvaluationOptions.After));
        }

        static string Eps(double e) => e.ToString("0.#####", System.Globalization.CultureInfo.InvariantCulture);
        var decoded = new Dictionary<WorstCase, bool[]>(ReferenceEqualityComparer.Instance);
        return units.Select(u => earlier.WorstCaseAt(u.Attack.Descriptor.Epsilon) is { Outcomes: { } o } w
                ? decoded.TryGetValue(w, out var known) ? known : decoded[w] = o.ToArray()
                : throw new ArgumentException(
                    $"The earlier report (EvaluationOptions.After) has no worst case at ε = {Eps(u.Attack.Descriptor.Epsilon)}, " +
                    $"which {u.Name} attacks (it has ε = {string.Join(", ", earlier.WorstCase.Select(x => Eps(x.Epsilon)))}). " +
                    "Continue only from a report that evaluated every budget of this plan.", nameof(EvaluationOptions.After))).ToArray();
    }
}
