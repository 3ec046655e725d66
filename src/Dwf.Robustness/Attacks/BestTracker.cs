using static TorchSharp.torch;

namespace Dwf.Robustness.Attacks;

/// <summary>
/// The per-sample best adversarial point an attack has seen: a successful point (misclassified, or for a targeted
/// attack classified as the target) beats an unsuccessful one; between two of the same kind the higher score
/// wins. Updates are in place and never synchronize with the host, so they may run inside a step loop on a GPU.
/// </summary>
public sealed class BestTracker : IDisposable
{
    private readonly Tensor _labels;
    private readonly bool _hitMeansTarget;

    /// <summary>Starts from the clean images: nothing found yet (score −∞, no success).</summary>
    /// <param name="images">Clean images [B,C,H,W].</param>
    /// <param name="labels">[B] true labels, or target labels when <paramref name="hitMeansTarget"/>.</param>
    /// <param name="hitMeansTarget">Success means predicting the label (a targeted attack) rather than any other class.</param>
    public BestTracker(Tensor images, Tensor labels, bool hitMeansTarget = false)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        Best = images.detach().clone().DetachFromDisposeScope();
        Score = full(labels.shape[0], double.NegativeInfinity, dtype: ScalarType.Float32, device: images.device).DetachFromDisposeScope();
        Success = zeros(labels.shape[0], dtype: ScalarType.Bool, device: images.device).DetachFromDisposeScope();
        _labels = labels.detach().clone().DetachFromDisposeScope();
        _hitMeansTarget = hitMeansTarget;
    }

    /// <summary>[B,C,H,W] the best point per sample (the clean image until something is found).</summary>
    public Tensor Best { get; }

    /// <summary>[B] the score of <see cref="Best"/>.</summary>
    public Tensor Score { get; }

    /// <summary>[B] whether <see cref="Best"/> is successful.</summary>
    public Tensor Success { get; }

    /// <summary>Offers candidates for every sample.</summary>
    /// <param name="candidates">[B,C,H,W] points.</param>
    /// <param name="score">[B] their score (higher is better for the attacker).</param>
    /// <param name="logits">[B,K] the model's logits at the points.</param>
    public void Update(Tensor candidates, Tensor score, Tensor logits) => Update(null, candidates, score, logits);

    /// <summary>Offers candidates for the samples at <paramref name="index"/> (all when null).</summary>
    /// <param name="index">int64 [n] sample indices, or null for all.</param>
    /// <param name="candidates">[n,C,H,W] points.</param>
    /// <param name="score">[n] their score.</param>
    /// <param name="logits">[n,K] logits at the points.</param>
    public void Update(Tensor? index, Tensor candidates, Tensor score, Tensor logits)
    {
        using var scope = NewDisposeScope();
        var labels = index is null ? _labels : _labels.index_select(0, index);
        var predicted = logits.argmax(1);
        var hit = _hitMeansTarget ? predicted.eq(labels) : predicted.ne(labels);
        Offer(index, candidates, score.to(ScalarType.Float32), hit);
    }

    /// <summary>Offers candidates whose success the caller decided.</summary>
    /// <param name="index">int64 [n] sample indices, or null for all.</param>
    /// <param name="candidates">[n,C,H,W] points.</param>
    /// <param name="score">[n] their score.</param>
    /// <param name="hit">[n] bool: whether each candidate is successful.</param>
    public void Offer(Tensor? index, Tensor candidates, Tensor score, Tensor hit)
    {
        using var scope = NewDisposeScope();
        var best = index is null ? Best : Best.index_select(0, index);
        var bestScore = index is null ? Score : Score.index_select(0, index);
        var success = index is null ? Success : Success.index_select(0, index);
        var s = score.to(ScalarType.Float32);
        var replace = (hit & success.logical_not()) | (hit.eq(success) & s.gt(bestScore));
        var newBest = where(replace.view(-1, 1, 1, 1), candidates.to(Best.dtype), best);
        var newScore = where(replace, s, bestScore);
        var newSuccess = success | hit;
        if (index is null)
        {
            Best.copy_(newBest);
            Score.copy_(newScore);
            Success.copy_(newSuccess);
        }
        else
        {
            Best.index_copy_(0, index, newBest);
            Score.index_copy_(0, index, newScore);
            Success.index_copy_(0, index, newSuccess);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Best.Dispose();
        Score.Dispose();
        Success.Dispose();
        _labels.Dispose();
    }
}
