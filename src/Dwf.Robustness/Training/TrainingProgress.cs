namespace Dwf.Robustness.Training;

/// <summary>Reported after every batch; <see cref="CompletedEpoch"/> is set on the last batch of an epoch.</summary>
/// <param name="Phase">e.g. <c>expert:pgd-1</c> or <c>joint</c>.</param>
/// <param name="Epoch">The epoch in progress, 1-based like <see cref="EpochMetrics.Epoch"/> (1 … <paramref name="Epochs"/>).</param>
/// <param name="Epochs">Epochs in the run.</param>
/// <param name="Batch">Batches of this epoch done (1-based).</param>
/// <param name="BatchesPerEpoch">Batches per epoch.</param>
/// <param name="CompletedEpoch">The epoch's metrics once it is complete; otherwise null.</param>
public sealed record TrainingProgress(string Phase, int Epoch, int Epochs, int Batch, int BatchesPerEpoch, EpochMetrics? CompletedEpoch);
