namespace Dwf.Robustness.Serving;

/// <summary>What <see cref="OnnxClassifier.Predict(float[], int, int, int)"/> returns for a batch, row-major per image.</summary>
/// <param name="Batch">Images in the batch.</param>
/// <param name="Classes">Classes per image.</param>
/// <param name="Logits">[Batch × Classes] logits.</param>
/// <param name="Probabilities">[Batch × Classes] softmax of the logits.</param>
/// <param name="GateWeights">[Batch × experts] a mixture's gate weights (columns as <see cref="OnnxClassifier.Experts"/>); null for a single model.</param>
public sealed record Prediction(int Batch, int Classes, float[] Logits, float[] Probabilities, float[]? GateWeights)
{
    /// <summary>The predicted class of image <paramref name="index"/> (the highest logit; the first on ties).</summary>
    /// <param name="index">0 ≤ index &lt; <see cref="Batch"/>.</param>
    public int Label(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Batch);
        int best = 0;
        for (int k = 1; k < Classes; k++)
        {
            if (Logits[index * Classes + k] > Logits[index * Classes + best])
            {
                best = k;
            }
        }

        return best;
    }

    /// <summary>The probabilities of image <paramref name="index"/>.</summary>
    /// <param name="index">0 ≤ index &lt; <see cref="Batch"/>.</param>
    public ReadOnlySpan<float> ProbabilitiesOf(int index) => Row(Probabilities, index, Classes);

    /// <summary>The gate weights of image <paramref name="index"/>; empty for a single model.</summary>
    /// <param name="index">0 ≤ index &lt; <see cref="Batch"/>.</param>
    public ReadOnlySpan<float> GateWeightsOf(int index) => GateWeights is null ? [] : Row(GateWeights, index, GateWeights.Length / Batch);

    private ReadOnlySpan<float> Row(float[] values, int index, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Batch);
        return values.AsSpan(index * width, width);
    }
}
