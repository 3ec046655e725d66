namespace Dwf.Robustness.Evaluation;

/// <summary>
/// Robust accuracy at one budget: an image counts when it is classified correctly clean and under every attack of
/// the plan at this ε (±1e-9). Budgets are never mixed: a plan with attacks at several ε has one of these per ε.
/// </summary>
/// <param name="Epsilon">The budget in [0,1] units.</param>
/// <param name="Accuracy">Correct / total.</param>
/// <param name="Correct">Images robust to every attack at this ε.</param>
/// <param name="Total">Images evaluated.</param>
/// <param name="Interval">Wilson 95% interval.</param>
/// <param name="Attacks">Names of the attacks at this ε.</param>
/// <param name="PerClass">Robust accuracy per class.</param>
/// <param name="Outcomes">Per image, whether it is robust at this ε.</param>
public sealed record WorstCase(
    double Epsilon,
    double Accuracy,
    int Correct,
    int Total,
    ConfidenceInterval Interval,
    IReadOnlyList<string> Attacks,
    IReadOnlyList<double> PerClass,
    SampleOutcomes Outcomes);
