namespace Dwf.Robustness.Training;

/// <summary>Running sums of one epoch's measurements (serializable, so a mid-epoch checkpoint keeps them).</summary>
internal sealed class BatchStats
{
    public double LossSum { get; set; }

    public long LossCount { get; set; }

    public long CleanCorrect { get; set; }

    public long CleanCount { get; set; }

    public long AdversarialCorrect { get; set; }

    public long AdversarialCount { get; set; }

    public double[]? GateWeightSums { get; set; }

    public long GateCount { get; set; }

    public int Batches { get; set; }

    public void AddGateWeights(double[] sums, long count)
    {
        GateWeightSums ??= new double[sums.Length];
        for (int i = 0; i < sums.Length; i++)
        {
            GateWeightSums[i] += sums[i];
        }

        GateCount += count;
    }

    public EpochMetrics ToMetrics(string phase, int epoch, int epochs, double learningRate, double seconds, IReadOnlyList<double>? groupRates = null) => new(
        phase,
        epoch + 1,
        epochs,
        LossCount == 0 ? double.NaN : LossSum / LossCount,
        CleanCount == 0 ? double.NaN : (double)CleanCorrect / CleanCount,
        AdversarialCount == 0 ? double.NaN : (double)AdversarialCorrect / AdversarialCount,
        GateWeightSums?.Select(s => s / GateCount).ToArray(),
        learningRate,
        seconds,
        Batches,
        groupRates);
}
