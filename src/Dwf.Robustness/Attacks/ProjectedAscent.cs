using Dwf.Robustness.Attacks.Norms;
using static TorchSharp.torch;

namespace Dwf.Robustness.Attacks;

/// <summary>
/// The one projected steepest-ascent loop of this library: from a start, <c>steps</c> steps of a given length in a
/// ball's norm along the gradient of a pluggable objective, each projected back onto the ε-ball around the clean images
/// and into [0,1]. PGD plugs in its label loss, TRADES's inner maximization the KL divergence from the clean prediction,
/// ADVMoE's training attack the KL of the model plus that of its router; a new attack loop is a new objective, not a
/// new loop. One dispose scope per step, so a step's activations are freed before the next.
/// </summary>
internal static class ProjectedAscent
{
    /// <summary>Runs the loop.</summary>
    /// <param name="start">The first iterate (owned: disposed when replaced).</param>
    /// <param name="images">Clean images in [0,1]: the centre of the ball.</param>
    /// <param name="ball">The threat model's geometry.</param>
    /// <param name="epsilon">Budget in the ball's norm.</param>
    /// <param name="stepSize">Step length in the ball's norm.</param>
    /// <param name="steps">Iterations.</param>
    /// <param name="objective">The pluggable objective: per-sample loss, logits and input gradient at an iterate.</param>
    /// <param name="progress">Counts the steps.</param>
    /// <param name="tracker">When given, offered every iterate before the last with its objective and logits.</param>
    /// <returns>The last iterate.</returns>
    public static Tensor Run(Tensor start, Tensor images, NormBall ball, double epsilon, double stepSize, int steps,
        Func<Tensor, LossAndGradient> objective, AttackSteps progress, BestTracker? tracker = null)
    {
        var adversarial = start;
        for (int s = 0; s < steps; s++)
        {
            progress.Next();
            using var step = NewDisposeScope();
            var (score, logits, gradient) = objective(adversarial);
            tracker?.Update(adversarial, score, logits);
            var next = ball.Project(adversarial + ball.SteepestStep(gradient, stepSize), images, epsilon).MoveToOuterDisposeScope();
            adversarial.Dispose();
            adversarial = next;
        }

        return adversarial;
    }

    /// <summary>TRADES's start: x + 0.001·𝒩(0, I), projected; drawn on the CPU so a seed gives the same start on every device.</summary>
    /// <param name="images">Clean images.</param>
    /// <param name="ball">The threat model's geometry.</param>
    /// <param name="epsilon">Budget.</param>
    /// <param name="generator">Random source; torch's global one when null.</param>
    /// <returns>A new tensor.</returns>
    public static Tensor GaussianStart(Tensor images, NormBall ball, double epsilon, Generator? generator)
    {
        using var scope = NewDisposeScope();
        var noise = randn(images.shape, generator: generator).to(images.dtype).to(images.device);
        return ball.Project(images + TradesAttack.StartNoise * noise, images, epsilon).MoveToOuterDisposeScope();
    }
}
