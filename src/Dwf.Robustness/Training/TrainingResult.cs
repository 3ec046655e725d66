namespace Dwf.Robustness.Training;

/// <summary>The outcome of a training run.</summary>
/// <param name="History">Metrics of every completed epoch, including those of earlier, resumed-from runs.</param>
/// <param name="ResumedFromEpoch">Null for a fresh run; otherwise the zero-based epoch the run resumed in.</param>
public sealed record TrainingResult(IReadOnlyList<EpochMetrics> History, int? ResumedFromEpoch);
