using static TorchSharp.torch;

namespace Dwf.Robustness.Attacks.SquareSearch;

/// <summary>
/// Square Attack under L∞: vertical stripes of ±ε to start; per query one window set to a corner of the ε-box with one
/// random sign per channel.
/// </summary>
internal sealed class LinfSquareSearch : SquareSearch
{
    public static LinfSquareSearch Instance { get; } = new();

    private LinfSquareSearch()
    {
    }

    /// <inheritdoc />
    public override long Side(double fraction, long h, long w) => Math.Clamp((long)Math.Round(Math.Sqrt(fraction * h * w)), 1, Math.Min(h, w));

    /// <inheritdoc />
    public override Tensor Start(Tensor images, double epsilon, Generator? generator) =>
        (images + epsilon * Signs([images.shape[0], images.shape[1], 1, images.shape[3]], generator, images)).clamp(0.0, 1.0);

    /// <inheritdoc />
    public override Tensor Propose(Tensor images, Tensor current, double epsilon, long side, Generator? generator)
    {
        long m = images.shape[0];
        var (window, _, _) = Window(m, images.shape[2], images.shape[3], side, generator, images.device);
        return where(window, images + epsilon * Signs([m, images.shape[1], 1, 1], generator, images), current).clamp(0.0, 1.0);
    }
}
