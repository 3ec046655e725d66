using static TorchSharp.torch;

namespace Dwf.Robustness.Attacks.Norms;

/// <summary>
/// The geometry of one threat model, per image of a batch [B,C,H,W]: the distance of a perturbation, projection onto
/// the ε-ball (then [0,1]), a random start inside it, and the steepest-ascent step of a given length. Attacks take
/// these from <see cref="For"/> instead of hard-coding a norm, so one attack class serves every threat model; a new
/// norm is a new subclass plus its line in <see cref="For"/>.
/// </summary>
public abstract class NormBall
{
    /// <summary>Only this library's norms derive from it: <see cref="For"/> lists them.</summary>
    private protected NormBall()
    {
    }

    /// <summary>The threat model this ball belongs to.</summary>
    public abstract ThreatModel ThreatModel { get; }

    /// <summary>The ball of <paramref name="threatModel"/>.</summary>
    /// <param name="threatModel">The threat model.</param>
    /// <exception cref="ArgumentOutOfRangeException">An undefined threat model.</exception>
    public static NormBall For(ThreatModel threatModel) => threatModel switch
    {
        ThreatModel.Linf => LinfBall.Instance,
        ThreatModel.L2 => L2Ball.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(threatModel), threatModel, $"Unknown threat model; use one of {string.Join(", ", Enum.GetNames<ThreatModel>())}."),
    };

    /// <summary>Per image, the norm of <paramref name="delta"/> [B,…].</summary>
    /// <param name="delta">Perturbations.</param>
    /// <returns>[B] norms.</returns>
    public abstract Tensor Norm(Tensor delta);

    /// <summary>Moves <paramref name="adversarial"/> onto the ε-ball around <paramref name="images"/>, then into [0,1] (which cannot leave the ball: clamping moves each value towards the clean one).</summary>
    /// <param name="adversarial">Candidate images.</param>
    /// <param name="images">Clean images in [0,1].</param>
    /// <param name="epsilon">Budget.</param>
    /// <returns>A new tensor.</returns>
    public abstract Tensor Project(Tensor adversarial, Tensor images, double epsilon);

    /// <summary>A point drawn uniformly from the ε-ball around <paramref name="images"/>, clamped to [0,1]; drawn on the CPU so that a seed gives the same start on every device.</summary>
    /// <param name="images">Clean images.</param>
    /// <param name="epsilon">Budget.</param>
    /// <param name="generator">Random source; torch's global one when null.</param>
    /// <returns>A new tensor.</returns>
    public abstract Tensor RandomStart(Tensor images, double epsilon, Generator? generator);

    /// <summary>The step of length <paramref name="stepSize"/> in this norm that increases a linear objective with gradient <paramref name="gradient"/> most (L∞: α·sign(g); L2: α·g/‖g‖₂).</summary>
    /// <param name="gradient">[B,…] input gradient.</param>
    /// <param name="stepSize">Step length in this norm.</param>
    /// <returns>A new tensor shaped like <paramref name="gradient"/>.</returns>
    public abstract Tensor SteepestStep(Tensor gradient, double stepSize);

    /// <summary>
    /// APGD's start (Croce and Hein, 2020): a random point on the ε-sphere of this norm around
    /// <paramref name="images"/>, clamped to [0,1]; L∞: x + ε·t/‖t‖∞ with t uniform in [−1,1]^d; L2: x + ε·t/‖t‖₂ with
    /// t standard normal. Drawn on the CPU, so a seed gives the same start on every device.
    /// </summary>
    /// <param name="images">Clean images.</param>
    /// <param name="epsilon">Budget.</param>
    /// <param name="generator">Random source; torch's global one when null.</param>
    /// <returns>A new tensor.</returns>
    public abstract Tensor SurfaceStart(Tensor images, double epsilon, Generator? generator);

    /// <summary><see cref="SteepestStep(Tensor, double)"/> with a step length per image (<paramref name="stepSize"/> [B,1,…], as APGD halves it per image).</summary>
    /// <param name="gradient">[B,…] input gradient.</param>
    /// <param name="stepSize">[B,1,…] step lengths in this norm.</param>
    /// <returns>A new tensor shaped like <paramref name="gradient"/>.</returns>
    public abstract Tensor SteepestStep(Tensor gradient, Tensor stepSize);

    /// <summary>Checks a budget for this norm.</summary>
    /// <param name="epsilon">Budget.</param>
    /// <param name="parameterName">The caller's parameter name, for the exception.</param>
    /// <exception cref="ArgumentOutOfRangeException">NaN, negative, or out of the norm's range.</exception>
    public abstract void CheckEpsilon(double epsilon, string parameterName);

    /// <summary>[B] → [B,1,1,…] so it broadcasts over <paramref name="like"/>.</summary>
    private protected static Tensor PerImage(Tensor values, Tensor like) =>
        values.view([values.shape[0], .. Enumerable.Repeat(1L, (int)like.dim() - 1)]);
}
