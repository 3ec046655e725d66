namespace Dwf.Robustness.Numerics;

/// <summary>
/// How far float32 results of one convolution are from the same computation in float64: the largest absolute
/// difference over the largest float64 magnitude, for the forward output, the input gradient and the weight gradient
/// of <c>(y·y).sum()</c>. NaN when float32 gave a non-finite value.
/// </summary>
/// <param name="Case">The configuration.</param>
/// <param name="Library">Whether the convolution ran through <see cref="ChannelsLastConv2d.Convolve"/> or as plain <c>conv2d</c> on the case's layout.</param>
/// <param name="Forward">Relative error of the output.</param>
/// <param name="InputGradient">Relative error of the input gradient.</param>
/// <param name="WeightGradient">Relative error of the weight gradient.</param>
public sealed record ConvolutionCheckResult(ConvolutionCase Case, bool Library, double Forward, double InputGradient, double WeightGradient)
{
    /// <summary>The largest relative error a correct float32 convolution shows here (measured ≤ 1.3e-5 for weight gradients of large sums).</summary>
    public const double Tolerance = 1e-4;

    /// <summary>True when all three errors are finite and within <see cref="Tolerance"/>.</summary>
    public bool IsCorrect => Within(Forward) && Within(InputGradient) && Within(WeightGradient);

    private static bool Within(double error) => !double.IsNaN(error) && error <= Tolerance;
}
