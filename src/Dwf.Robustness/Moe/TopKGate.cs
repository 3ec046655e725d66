using static TorchSharp.torch;

namespace Dwf.Robustness.Moe;

/// <summary>
/// A sparse variant of <see cref="SoftGate"/> for an ablation the paper does not run: only the <see cref="K"/>
/// highest-scoring experts of each sample get weight (softmax over their scores); the others get exactly 0.
/// Gradients reach the gate through the selected scores only.
/// </summary>
public sealed class TopKGate : nn.Module<Tensor, Tensor>
{
    private readonly SoftGate inner;

    /// <summary>Creates the gate.</summary>
    /// <param name="inner">The scoring network.</param>
    /// <param name="k">Experts kept per sample, 1 ≤ k ≤ E.</param>
    public TopKGate(SoftGate inner, int k) : base(nameof(TopKGate))
    {
        ArgumentNullException.ThrowIfNull(inner);
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
    public SoftGate Inner => inner;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var scores = inner.Scores(input) / inner.Temperature;
        var (values, indices) = scores.topk(K, dim: 1);
        var masked = full_like(scores, double.NegativeInfinity).scatter(1, indices, values);
        return nn.functional.softmax(masked, 1).MoveToOuterDisposeScope();
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
