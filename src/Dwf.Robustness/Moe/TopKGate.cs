using static TorchSharp.torch;

namespace Dwf.Robustness.Moe;

/// <summary>
/// A sparse variant of any <see cref="GateScorer"/> (e.g. <see cref="SoftGate"/>) for an ablation the paper does not run: only the <see cref="K"/>
/// highest-scoring experts of each sample get weight (softmax over their scores); the others get exactly 0.
/// Gradients reach the gate through the selected scores only.
/// </summary>
public sealed class TopKGate : GateScorer
{
    private readonly GateScorer inner;

    /// <summary>Creates the gate.</summary>
    /// <param name="inner">The scoring network.</param>
    /// <param name="k">Experts kept per sample, 1 ≤ k ≤ E.</param>
    public TopKGate(GateScorer inner, int k) : base(nameof(TopKGate), (inner ?? throw new ArgumentNullException(nameof(inner))).Experts, inner.Temperature)
    {
        if (k < 1 || k > inner.Experts)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be between 1 and the number of experts ({inner.Experts}).");
        }

        this.inner = inner;
        K = k;
        RegisterComponents();
    }

    /// <summary>Experts kept per sample.</summary>
    public int K { get; }

    /// <summary>The scoring network.</summary>
    public GateScorer Inner => inner;

    /// <summary>The inner scores with all but each sample's <see cref="K"/> highest set to −∞ (so the softmax gives them weight 0).</summary>
    /// <param name="input">Images [B,C,H,W] in [0,1].</param>
    public override Tensor Scores(Tensor input)
    {
        using var scope = NewDisposeScope();
        var scores = inner.Scores(input);
        var (values, indices) = scores.topk(K, dim: 1);
        return full_like(scores, double.NegativeInfinity).scatter(1, indices, values).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
