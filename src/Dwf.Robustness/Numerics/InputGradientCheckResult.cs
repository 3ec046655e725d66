using System.Globalization;

namespace Dwf.Robustness.Numerics;

/// <summary>
/// A model's input gradients against libtorch's reference kernels, per image: the relative error
/// ‖g − g_ref‖₂ / ‖g_ref‖₂ of each image's cross-entropy gradient (<see cref="InputGradientCheck"/>).
/// </summary>
/// <param name="Images">Images compared.</param>
/// <param name="MedianError">Median per-image relative error (NaN when float32 gave a non-finite gradient).</param>
/// <param name="MaxError">Largest per-image relative error (NaN as above).</param>
/// <param name="LayersAtRisk">Plain NCHW <c>nn.Conv2d</c> layers of the model with a shape this machine's libtorch computes wrong
/// (<see cref="ConvolutionCheck.IsAtRisk"/>, on a machine where <see cref="ConvolutionCheck.NchwKernelsWrongHere"/>), named as
/// <c>named_modules</c> names them; empty elsewhere. The error is intermittent, so such a layer fails the check even when its
/// gradients came out right this time.</param>
/// <param name="Elapsed">Time the check took.</param>
public sealed record InputGradientCheckResult(int Images, double MedianError, double MaxError, IReadOnlyList<string> LayersAtRisk, TimeSpan Elapsed)
{
    /// <summary>True when the gradients agree (finite, median per-image error within <see cref="InputGradientCheck.Tolerance"/>) and no layer is at risk.</summary>
    public bool Passed => GradientsAgree && LayersAtRisk.Count == 0;

    /// <summary>
    /// True when the model gave different gradients for the same images twice (it is randomized): then the comparison
    /// says nothing about the kernels, and only <see cref="LayersAtRisk"/> can fail the check. The evaluator's randomness
    /// check reports such a model.
    /// </summary>
    public bool Randomized { get; init; }

    /// <summary>True when every gradient was finite and the median per-image error is within <see cref="InputGradientCheck.Tolerance"/> (or the model is <see cref="Randomized"/>).</summary>
    public bool GradientsAgree => Randomized || (!double.IsNaN(MedianError) && !double.IsNaN(MaxError) && MedianError <= InputGradientCheck.Tolerance);

    /// <summary>One message: what was found, the layers if known, and the fix.</summary>
    public string Describe()
    {
        string median = double.IsNaN(MedianError) ? "non-finite" : MedianError.ToString("0.###e0", CultureInfo.InvariantCulture);
        if (Passed)
        {
            return $"Input gradients agree with libtorch's reference kernels on {Images} images (median relative error {median}).";
        }

        string tolerance = InputGradientCheck.Tolerance.ToString("0e0", CultureInfo.InvariantCulture);
        string found = GradientsAgree
            ? $"This machine's libtorch computes NCHW convolutions of some shapes wrong, intermittently, and the model has such layers (its gradients on {Images} images " +
              $"happened to agree with libtorch's reference kernels this time, median relative error {median})."
            : $"This machine's libtorch computes the model's input gradients wrong: on {Images} images they differ from those of libtorch's reference kernels " +
              $"by a median of {median} per image (more than {tolerance} is wrong).";
        string layers = LayersAtRisk.Count > 0
            ? $" Convolutions at risk: {string.Join(", ", LayersAtRisk)}."
            : " No plain convolution of a shape known to be wrong was found; the error comes from elsewhere in the model.";
        return found + " Attacks on this model would be silently weak and training would use wrong gradients." + layers +
               " Fix: build the model's convolutions as Dwf.Robustness.Numerics.ChannelsLastConv2d (same parameters and state-dict keys), " +
               "or feed them channels-last inputs (libtorch 2.10's oneDNN is wrong on NCHW tensors whose channel counts are not multiples of 16; docs/reliability.md). " +
               "To proceed anyway set GradientCheck to GradientCheckMode.Warn or Off in the options.";
    }
}
