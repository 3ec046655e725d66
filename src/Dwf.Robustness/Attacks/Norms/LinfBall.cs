using static TorchSharp.torch;

namespace Dwf.Robustness.Attacks.Norms;

/// <summary>‖δ‖∞ ≤ ε: a box around each image.</summary>
internal sealed class LinfBall : NormBall
{
    /// <summary>The one instance.</summary>
    public static LinfBall Instance { get; } = new();

    private LinfBall()
    {
    }

    /// <inheritdoc />
    public override ThreatModel ThreatModel => ThreatModel.Linf;

    /// <inheritdoc />
    public override Tensor Norm(Tensor delta) => delta.flatten(1).abs().amax(1);

    /// <inheritdoc />
    public override Tensor Project(Tensor adversarial, Tensor images, double epsilon) =>
        minimum(maximum(adversarial, images - epsilon), images + epsilon).clamp(0.0, 1.0);

    /// <inheritdoc />
    public override Tensor RandomStart(Tensor images, double epsilon, Generator? generator)
    {
        using var scope = NewDisposeScope();
        var noise = (rand(images.shape, generator: generator) * 2 - 1).to(images.dtype).to(images.device);
        return Project(images + epsilon * noise, images, epsilon).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override Tensor SteepestStep(Tensor gradient, double stepSize) => stepSize * gradient.sign();

    /// <inheritdoc />
    public override Tensor SteepestStep(Tensor gradient, Tensor stepSize) => stepSize * gradient.sign();

    /// <inheritdoc />
    public override Tensor SurfaceStart(Tensor images, double epsilon, Generator? generator)
    {
        using var scope = NewDisposeScope();
        var t = (rand(images.shape, generator: generator) * 2 - 1).to(images.dtype).to(images.device);
        return (images + epsilon * t / t.abs().amax(Enumerable.Range(1, (int)images.dim() - 1).Select(d => (long)d).ToArray(), keepdim: true))
            .clamp(0.0, 1.0).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override void CheckEpsilon(double epsilon, string parameterName)
    {
        if (double.IsNaN(epsilon) || epsilon < 0 || epsilon > 1)
        {
            throw new ArgumentOutOfRangeException(parameterName, epsilon,
                "An L∞ ε must be in [0,1] pixel units (images are in [0,1]); for 8/255 use Epsilon.FromPixelLevels(8).");
        }
    }
}
