using static TorchSharp.torch;

namespace Dwf.Robustness.Attacks.Norms;

/// <summary>‖δ‖₂ ≤ ε over all values of an image: a sphere around each image, in [0,1] pixel units.</summary>
internal sealed class L2Ball : NormBall
{
    /// <summary>Added to norms before dividing by them, so a zero gradient or perturbation gives a zero step.</summary>
    private const double Tiny = 1e-12;

    /// <summary>The one instance.</summary>
    public static L2Ball Instance { get; } = new();

    private L2Ball()
    {
    }

    /// <inheritdoc />
    public override ThreatModel ThreatModel => ThreatModel.L2;

    /// <inheritdoc />
    public override Tensor Norm(Tensor delta) => delta.flatten(1).square().sum(1).sqrt();

    /// <summary>Each image's <paramref name="delta"/> divided by its L2 norm (zero stays zero).</summary>
    /// <param name="delta">[B,…] values.</param>
    /// <returns>A new tensor shaped like <paramref name="delta"/>.</returns>
    internal Tensor Normalize(Tensor delta) => delta / PerImage(Norm(delta) + Tiny, delta);

    /// <inheritdoc />
    public override Tensor Project(Tensor adversarial, Tensor images, double epsilon)
    {
        using var scope = NewDisposeScope();
        var delta = adversarial - images;
        var factor = (epsilon / (Norm(delta) + Tiny)).clamp_max(1.0);
        return (images + delta * PerImage(factor, delta)).clamp(0.0, 1.0).MoveToOuterDisposeScope();
    }

    /// <summary>A direction uniform on the sphere (a normalized Gaussian) times a radius ε·u^(1/d), u uniform: uniform in the ball of dimension d = C·H·W.</summary>
    /// <inheritdoc />
    public override Tensor RandomStart(Tensor images, double epsilon, Generator? generator)
    {
        using var scope = NewDisposeScope();
        var direction = randn(images.shape, dtype: ScalarType.Float64, generator: generator);
        direction = Normalize(direction);
        double dimension = images.numel() / Math.Max(1L, images.shape[0]);
        var radius = epsilon * rand([images.shape[0]], dtype: ScalarType.Float64, generator: generator).pow(1.0 / dimension);
        var delta = (direction * PerImage(radius, direction)).to(images.dtype).to(images.device);
        return Project(images + delta, images, epsilon).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override Tensor SteepestStep(Tensor gradient, double stepSize)
    {
        using var scope = NewDisposeScope();
        return (stepSize * gradient / PerImage(Norm(gradient) + Tiny, gradient)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override Tensor SteepestStep(Tensor gradient, Tensor stepSize)
    {
        using var scope = NewDisposeScope();
        return (stepSize * gradient / PerImage(Norm(gradient) + Tiny, gradient)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override Tensor SurfaceStart(Tensor images, double epsilon, Generator? generator)
    {
        using var scope = NewDisposeScope();
        var t = randn(images.shape, generator: generator).to(images.dtype).to(images.device);
        return (images + epsilon * Normalize(t)).clamp(0.0, 1.0).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override void CheckEpsilon(double epsilon, string parameterName)
    {
        if (!double.IsFinite(epsilon) || epsilon < 0)
        {
            throw new ArgumentOutOfRangeException(parameterName, epsilon,
                "An L2 ε must be finite and ≥ 0, in [0,1] pixel units summed over the image (RobustBench's CIFAR-10 budget is 0.5).");
        }
    }
}
