using static TorchSharp.torch;

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

    /// <summary>Adds a batch's mean loss, weighted by its <paramref name="images"/> (one host sync).</summary>
    public void AddLoss(Tensor loss, long images)
    {
        LossSum += loss.item<float>() * images;
        LossCount += images;
    }

    /// <summary>Counts the clean images <paramref name="logits"/> classify as <paramref name="labels"/>.</summary>
    public void AddClean(Tensor logits, Tensor labels)
    {
        CleanCorrect += Correct(logits, labels);
        CleanCount += labels.shape[0];
    }

    /// <summary>Counts the adversarial images <paramref name="logits"/> classify as <paramref name="labels"/>.</summary>
    public void AddAdversarial(Tensor logits, Tensor labels)
    {
        AdversarialCorrect += Correct(logits, labels);
        AdversarialCount += labels.shape[0];
    }

    public void AddGateWeights(double[] sums, long count)
    {
        GateWeightSums ??= new double[sums.Length];
        for (int i = 0; i < sums.Length; i++)
        {
            GateWeightSums[i] += sums[i];
        }

        GateCount += count;
    }

    private static long Correct(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        return logits.detach().argmax(1).eq(labels).sum().item<long>();
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
