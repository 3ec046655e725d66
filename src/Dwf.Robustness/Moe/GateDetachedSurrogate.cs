using Dwf.Robustness.Moe;
using static TorchSharp.torch;

namespace Dwf.Robustness.Moe;

/// <summary>
/// An adaptive-attack surrogate of a mixture: the same logits, but no gradient flows through the gate (its weights
/// are detached), so an attack sees the experts under fixed weights. A gate that hides the experts' gradients —
/// saturated weights, a gate that flips on tiny changes — cannot protect the mixture against this surrogate; the
/// evaluator runs it for every mixture and keeps the per-sample worst case.
/// </summary>
public sealed class GateDetachedSurrogate : nn.Module<Tensor, Tensor>
{
    private readonly MixtureOfExperts mixture;

    /// <summary>
    /// Wraps <paramref name="mixture"/> without registering it (not owned: disposing the surrogate leaves it alive,
    /// and the surrogate's train/eval mode does not touch it). Put the mixture in eval mode before attacking.
    /// </summary>
    /// <param name="mixture">The mixture under evaluation.</param>
    public GateDetachedSurrogate(MixtureOfExperts mixture) : base(nameof(GateDetachedSurrogate))
    {
        ArgumentNullException.ThrowIfNull(mixture);
        this.mixture = mixture;
        eval();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var output = mixture.ForwardDetailed(input);
        return mixture.Mix(output.GateWeights.detach(), output.ExpertLogits).MoveToOuterDisposeScope();
    }
}
