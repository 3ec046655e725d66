namespace Dwf.Robustness.Evaluation;

/// <summary>
/// A mean over training replicates and test images (an accuracy, or the paired difference of two models'), with an
/// interval and a p-value that include both sources of variation (<see cref="ReplicatedComparison"/>).
/// </summary>
/// <param name="Estimate">The mean over every replicate and image.</param>
/// <param name="StandardError">Its estimated standard error (training and image variation together).</param>
/// <param name="DegreesOfFreedom">Satterthwaite's degrees of freedom of that standard error (∞ when it is 0).</param>
/// <param name="Interval">The 95% interval, estimate ± t(0.975, df) · standard error (<see cref="ReplicatedComparison.Accuracy"/> cuts it to [0,1], <see cref="ReplicatedComparison.Difference"/> to [−1,1]).</param>
/// <param name="PValue">Two-sided p-value of "the mean is 0" (for a difference: no difference); 1 when the standard error is 0 and the estimate is 0.</param>
/// <param name="Replicates">Training replicates (R).</param>
/// <param name="Images">Test images per replicate (N).</param>
/// <param name="ReplicateMeans">The mean of each replicate, in the order given.</param>
/// <param name="TrainingShare">The share of the estimate's variance that comes from training runs (between-replicate), in [0,1].</param>
public sealed record ReplicatedEstimate(
    double Estimate,
    double StandardError,
    double DegreesOfFreedom,
    ConfidenceInterval Interval,
    double PValue,
    int Replicates,
    int Images,
    IReadOnlyList<double> ReplicateMeans,
    double TrainingShare);
