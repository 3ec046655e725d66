using static TorchSharp.torch;

namespace Dwf.Robustness.Attacks;

/// <summary>
/// What one forward/backward pass through the model gives an attack: the per-sample objective, the logits and
/// the gradient of the objective's sum with respect to the input only (parameters are not touched). All three are
/// detached and live in the caller's dispose scope.
/// </summary>
/// <param name="Loss">[B] per-sample objective.</param>
/// <param name="Logits">[B,K] logits at the input.</param>
/// <param name="Gradient">∂Σloss/∂input, shaped like the input.</param>
public readonly record struct LossAndGradient(Tensor Loss, Tensor Logits, Tensor Gradient)
{
    /// <summary>
    /// Runs <paramref name="model"/> on <paramref name="input"/> and differentiates <paramref name="objective"/>. For a
    /// model wrapped in <see cref="ExpectationOverTransformation"/> the loss and gradient are means over its samples
    /// (each pass in its own dispose scope), the logits those of the last pass.
    /// </summary>
    /// <param name="model">The model (in eval mode, gradients enabled: <see cref="AttackBase"/> arranges both).</param>
    /// <param name="input">[B,C,H,W] images; not modified.</param>
    /// <param name="objective">Maps logits [B,K] to the per-sample objective [B].</param>
    /// <returns>Loss, logits and input gradient.</returns>
    public static LossAndGradient Compute(nn.Module<Tensor, Tensor> model, Tensor input, Func<Tensor, Tensor> objective)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(objective);
        int samples = model is IGradientSamples g ? g.GradientSamples : 1;
        if (samples == 1)
        {
            return Once(model, input, objective);
        }

        Tensor? lossSum = null, gradientSum = null, logits = null;
        for (int s = 0; s < samples; s++)
        {
            using var pass = NewDisposeScope();
            var once = Once(model, input, objective);
            var loss = (lossSum is null ? once.Loss : lossSum + once.Loss).MoveToOuterDisposeScope();
            var gradient = (gradientSum is null ? once.Gradient : gradientSum + once.Gradient).MoveToOuterDisposeScope();
            lossSum?.Dispose();
            gradientSum?.Dispose();
            logits?.Dispose();
            (lossSum, gradientSum, logits) = (loss, gradient, once.Logits.MoveToOuterDisposeScope());
        }

        return new LossAndGradient(lossSum! / samples, logits!, gradientSum! / samples);
    }

    private static LossAndGradient Once(nn.Module<Tensor, Tensor> model, Tensor input, Func<Tensor, Tensor> objective)
    {
        var x = input.detach().requires_grad_(true);
        var logits = model.call(x);
        var loss = objective(logits);
        var gradient = autograd.grad(new[] { loss.sum() }, new[] { x })[0];
        return new LossAndGradient(loss.detach(), logits.detach(), gradient.detach());
    }
}
