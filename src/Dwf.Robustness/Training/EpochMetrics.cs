namespace Dwf.Robustness.Training;

/// <summary>What one training epoch measured on its own training batches.</summary>
/// <param name="Phase">e.g. <c>expert:pgd-1</c> or <c>joint</c>.</param>
/// <param name="Epoch">One-based epoch number.</param>
/// <param name="Epochs">Epochs in the run.</param>
/// <param name="Loss">Mean training loss.</param>
/// <param name="CleanAccuracy">Accuracy on the clean images of the batches (NaN when none were measured).</param>
/// <param name="AdversarialAccuracy">Accuracy on the adversarial images trained on (NaN for clean training).</param>
/// <param name="MeanGateWeights">Mean gate weight per expert over the epoch (mixtures only).</param>
/// <param name="LearningRate">Learning rate at the epoch's last step (the gate's, for joint training).</param>
/// <param name="Seconds">Wall-clock seconds of the epoch (of the part run in this process, after a resume).</param>
/// <param name="Batches">Batches that contributed to these numbers.</param>
/// <param name="GroupLearningRates">The rate of every parameter group of every optimizer at the epoch's last step,
/// in order (for joint training: the gate's groups, then each expert's); null in checkpoints written before it existed.</param>
public sealed record EpochMetrics(
    string Phase,
    int Epoch,
    int Epochs,
    double Loss,
    double CleanAccuracy,
    double AdversarialAccuracy,
    IReadOnlyList<double>? MeanGateWeights,
    double LearningRate,
    double Seconds,
    int Batches,
    IReadOnlyList<double>? GroupLearningRates = null);
