using System.Text.Json;
using Dwf.Robustness.Experts;

namespace Dwf.Cifar10;

/// <summary>One expert's accuracy on the held-out validation split.</summary>
public sealed record ValidationScore(string Name, ExpertKind Kind, double Clean, double Robust);

/// <summary>
/// Which expert is "the best single expert" and which PGD expert the fine-tuned control starts from, chosen on the
/// validation split of the training set (never on the test set): highest robust accuracy under
/// <see cref="Attack"/>, ties broken by clean accuracy, then by the line-up's order.
/// </summary>
public sealed record ExpertSelection(string Attack, int Images, IReadOnlyList<ValidationScore> Scores, string BestExpert, string? BestPgdExpert)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    /// <summary>The selection from <paramref name="scores"/> (in line-up order).</summary>
    public static ExpertSelection Choose(string attack, int images, IReadOnlyList<ValidationScore> scores)
    {
        if (scores.Count == 0)
        {
            throw new ArgumentException("No expert was scored on the validation split; pre-train the experts first.", nameof(scores));
        }

        static ValidationScore? Best(IEnumerable<ValidationScore> s) =>
            s.Select((v, i) => (v, i)).OrderByDescending(p => p.v.Robust).ThenByDescending(p => p.v.Clean).ThenBy(p => p.i).Select(p => p.v).FirstOrDefault();
        return new ExpertSelection(attack, images, scores, Best(scores)!.Name, Best(scores.Where(s => s.Kind == ExpertKind.Pgd))?.Name);
    }

    /// <summary>Serializes this selection (indented JSON, enums by name).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a selection written by <see cref="ToJson"/>.</summary>
    public static ExpertSelection FromJson(string json) =>
        JsonSerializer.Deserialize<ExpertSelection>(json, Json) ?? throw new InvalidDataException("selection.json is empty.");
}
