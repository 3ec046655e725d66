using Dwf.Robustness.Attacks;

namespace Dwf.Robustness.Evaluation;

/// <summary>
/// Accuracy under one attack of a plan. Images misclassified when clean count as failures (the attack is not run
/// on them). In a <see cref="StageKind.Cascade"/> the accuracy is the stage's cumulative robust accuracy after this
/// attack; in a <see cref="StageKind.Sweep"/> it is this attack's alone.
/// </summary>
/// <param name="Attack">The attack's name, e.g. <c>PGD-20(ε=0.0314, α=0.0078)</c>.</param>
/// <param name="Descriptor">What the attack is.</param>
/// <param name="Stage">The stage it ran in.</param>
/// <param name="Kind">The stage's kind.</param>
/// <param name="Accuracy">Correct / total.</param>
/// <param name="Correct">Images still classified correctly.</param>
/// <param name="Total">Images evaluated.</param>
/// <param name="Interval">Wilson 95% interval of <paramref name="Accuracy"/>.</param>
/// <param name="Outcomes">Per image, whether it is still classified correctly; null for reports of schema 1.</param>
/// <param name="Surrogate">For an adaptive check of a mixture, the model the adversarial images were crafted
/// against (<c>gate detached</c>, <c>transfer from EXPERT</c>); they are then classified by the whole mixture. Null
/// when the attack ran against the whole model.</param>
public sealed record AttackResult(
    string Attack,
    AttackDescriptor Descriptor,
    string Stage,
    StageKind Kind,
    double Accuracy,
    int Correct,
    int Total,
    ConfidenceInterval Interval,
    SampleOutcomes? Outcomes,
    string? Surrogate = null)
{
    /// <summary>The budget, from <see cref="Descriptor"/>.</summary>
    public double Epsilon => Descriptor.Epsilon;
}
