using TorchSharp;
using static TorchSharp.torch;

namespace Dwf.Robustness.Attacks;

/// <summary>
/// A white-box evasion attack on an image classifier.
/// </summary>
/// <remarks>
/// <para>Contract every implementation obeys (checked by one shared test theory):</para>
/// <list type="bullet">
/// <item><description><c>model</c> maps float images [B,C,H,W] in [0,1] to logits [B,K]; normalization lives inside
/// the model, so the attack works in pixel space. For a mixture of experts pass the whole mixture: the gradient
/// must flow through the gate.</description></item>
/// <item><description>The result is a fresh, detached tensor the caller owns, on the device and with the dtype of
/// <c>images</c>, with ‖result − images‖∞ ≤ ε and every value in [0,1].</description></item>
/// <item><description><c>images</c> and <c>labels</c> are not modified; no gradient is left on the model's
/// parameters (input gradients come from <c>torch.autograd.grad</c>).</description></item>
/// <item><description>The model runs in eval mode during the attack and its previous mode is restored, also when it
/// throws. The attack works when called under <c>torch.no_grad()</c>. No tensors leak.</description></item>
/// <item><description>Attack objects are immutable; every random draw comes from <c>generator</c> (or torch's
/// global generator when it is null), so the same seed gives the same result.</description></item>
/// <item><description>Several threads may call <c>Perturb</c> on one model at once, also in training mode: the
/// model stays in eval mode while any call runs and gets back its earlier mode after the last (see
/// docs/reliability.md, thread safety). Give each thread its own generator.</description></item>
/// </list>
/// </remarks>
public interface IAttack
{
    /// <summary>A short description, e.g. <c>PGD-10(ε=0.0314, α=0.0078)</c>.</summary>
    string Name { get; }

    /// <summary>What the attack is, as data (family, threat model, ε, steps, restarts, loss, targets, queries): what
    /// reports record and lookups match. An attack from outside the library uses <see cref="AttackFamily.Custom"/>.</summary>
    AttackDescriptor Descriptor { get; }

    /// <summary>Crafts adversarial examples.</summary>
    /// <param name="model">The classifier under attack, returning logits.</param>
    /// <param name="images">float [B,C,H,W] in [0,1].</param>
    /// <param name="labels">int64 [B]: true labels, or target labels for a targeted attack.</param>
    /// <param name="generator">Source of random draws (a CPU generator); torch's global one when null.</param>
    /// <returns>Adversarial images, detached, owned by the caller.</returns>
    /// <exception cref="ArgumentException">Wrong shape or dtype, values outside [0,1], NaN, label count or range.</exception>
    Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator? generator = null);

    /// <summary>
    /// Crafts adversarial examples, checking <paramref name="cancellationToken"/> and reporting
    /// <paramref name="progress"/> at every iteration (the library's PGD, APGD and Square do; an attack that does not
    /// override this runs uncancellable).
    /// </summary>
    /// <param name="model">The classifier under attack, returning logits.</param>
    /// <param name="images">float [B,C,H,W] in [0,1].</param>
    /// <param name="labels">int64 [B].</param>
    /// <param name="generator">Source of random draws; torch's global one when null.</param>
    /// <param name="cancellationToken">Checked at every step; cancelling throws <see cref="OperationCanceledException"/>.</param>
    /// <param name="progress">One report per step; may be null.</param>
    /// <returns>Adversarial images, detached, owned by the caller.</returns>
    Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator? generator, CancellationToken cancellationToken,
        IProgress<AttackProgress>? progress) => Perturb(model, images, labels, generator);
}
