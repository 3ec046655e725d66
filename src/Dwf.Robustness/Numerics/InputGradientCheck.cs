using System.Diagnostics;
using System.Runtime.CompilerServices;
using Dwf.Robustness.Infrastructure;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Numerics;

/// <summary>
/// Checks that the installed libtorch computes a model's input gradients right on this machine: the cross-entropy
/// gradient of a batch (at least <see cref="MinimumImages"/> images, so libtorch takes its batched oneDNN kernels), as
/// the model computes it, against the same gradient computed with oneDNN turned off, on libtorch's own kernels (the
/// kernels it runs float64 on, which <see cref="ConvolutionCheck"/> compares with float64), per image. An attack is
/// only as strong as this gradient.
/// </summary>
/// <remarks>
/// <para>
/// The model is not modified or copied, so it works for any module and optimizers holding its parameters are not
/// disturbed. oneDNN is off process-wide for the reference pass (<c>at::Context::setUserEnabledMkldnn</c>): another
/// thread computing at that moment runs on the reference kernels too (same values up to rounding). The check runs in
/// eval mode and draws no random numbers. Where the loaded libtorch does not export that switch (<see cref="IsAvailable"/>
/// is false), <see cref="EnsureChecked"/> skips the check and returns null.
/// </para>
/// <para>
/// <see cref="EnsureChecked"/> runs it once per model object (the evaluator and the trainers call it before they use a
/// model). On a machine where <see cref="ConvolutionCheck.NchwKernelsWrongHere"/>, every plain <c>nn.Conv2d</c> of a shape
/// libtorch computes wrong there (<see cref="ConvolutionCheck.IsAtRisk"/>) fails the check by name, even when its gradients
/// came out right this time (the error is intermittent). Cost, measured on a 2-core AVX-512 EPYC (benchmark gradcheck-cost, docs/reliability.md): 0.1–0.4 s for a
/// width-0.25 ResNet-18 and 0.8–1.9 s for a nine-expert mixture of them.
/// </para>
/// </remarks>
public static class InputGradientCheck
{
    /// <summary>Images the check uses when the data has that many (fewer are repeated up to it).</summary>
    public const int MinimumImages = 16;

    /// <summary>The largest median per-image relative error taken as float32 rounding (measured: below 1e-5 on every library model).</summary>
    public const double Tolerance = 1e-3;

    private static readonly ConditionalWeakTable<nn.Module, InputGradientCheckResult> Checked = new();

    /// <summary>Whether the check can run with the loaded libtorch (it needs libtorch's oneDNN switch; true for the Linux CPU backend).</summary>
    public static bool IsAvailable => LibTorchSettings.CanDisableOneDnn;

    /// <summary>Compares the input gradients of <paramref name="model"/> on <paramref name="images"/> with those of libtorch's reference kernels.</summary>
    /// <param name="model">A float32 model returning logits [B,K].</param>
    /// <param name="images">[B,C,H,W] images in [0,1]; the first <see cref="MinimumImages"/> are used (repeated when fewer).</param>
    /// <param name="labels">int64 [B] labels.</param>
    /// <returns>The per-image errors and, when they are too large, the convolutions at fault.</returns>
    /// <exception cref="InvalidOperationException">The check is not available here (<see cref="IsAvailable"/>).</exception>
    public static InputGradientCheckResult Run(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(model);
        InputGuards.CheckImagesAndLabels(images, labels);
        var clock = Stopwatch.StartNew();
        double[] errors;
        bool randomized;
        using (var scope = NewDisposeScope())
        using (var evalMode = EvalModeScope.Enter(model))
        using (var gradEnabled = enable_grad())
        {
            var (x, y) = Repeat(images.detach().to(ScalarType.Float32), labels.detach());
            var actual = Gradient(model, x, y);
            // A randomized model gives another gradient on every pass: then no kernel can be judged by comparison.
            randomized = Median(PerImageErrors(actual, Gradient(model, x, y))) is var noise && !(noise <= Tolerance);
            var reference = LibTorchSettings.WithoutOneDnn(() => Gradient(model, x, y));
            errors = PerImageErrors(actual, reference);
        }

        double median = Median(errors);
        double max = double.IsNaN(median) ? double.NaN : errors.Max();
        var atRisk = ConvolutionCheck.NchwKernelsWrongHere ? ConvolutionsAtRisk(model) : [];
        return new InputGradientCheckResult(errors.Length, median, max, atRisk, clock.Elapsed) { Randomized = randomized };
    }

    /// <summary>
    /// <see cref="Run"/> once per model object (later calls return the first result); throws or returns the failed
    /// result according to <paramref name="mode"/>. Returns null when <paramref name="mode"/> is <see cref="GradientCheckMode.Off"/>
    /// or the check is not available here.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="images">Images for the check (see <see cref="Run"/>).</param>
    /// <param name="labels">Their labels.</param>
    /// <param name="mode">What a failure does.</param>
    /// <returns>The check's result, or null when it is off.</returns>
    /// <exception cref="InputGradientException">The check failed and <paramref name="mode"/> is <see cref="GradientCheckMode.Fail"/>.</exception>
    public static InputGradientCheckResult? EnsureChecked(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, GradientCheckMode mode)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, $"Unknown gradient check mode; use one of {string.Join(", ", Enum.GetNames<GradientCheckMode>())}.");
        }

        if (mode == GradientCheckMode.Off || !IsAvailable)
        {
            return null;
        }

        InputGradientCheckResult result;
        lock (Checked)
        {
            if (!Checked.TryGetValue(model, out result!))
            {
                result = Run(model, images, labels);
                Checked.AddOrUpdate(model, result);
            }
        }

        if (!result.Passed && mode == GradientCheckMode.Fail)
        {
            throw new InputGradientException(result);
        }

        return result;
    }

    /// <summary>
    /// <see cref="EnsureChecked(nn.Module{Tensor, Tensor}, Tensor, Tensor, GradientCheckMode)"/> on the first
    /// <see cref="MinimumImages"/> images of <paramref name="loader"/> (unshuffled, no random draw); nothing is read when
    /// the check is off or not available. The evaluator and the trainers call this.
    /// </summary>
    internal static InputGradientCheckResult? EnsureCheckedOnFirstImages(nn.Module<Tensor, Tensor> model, Data.BatchLoader loader, GradientCheckMode mode)
    {
        if (mode == GradientCheckMode.Off || !IsAvailable)
        {
            return null;
        }

        using var first = loader.First(MinimumImages);
        return EnsureChecked(model, first.Images, first.Labels, mode);
    }

    private static double Median(double[] values) =>
        values.Any(double.IsNaN) ? double.NaN : values.Order().ElementAt(values.Length / 2);

    private static (Tensor Images, Tensor Labels) Repeat(Tensor images, Tensor labels)
    {
        long n = images.shape[0];
        if (n >= MinimumImages)
        {
            return (images.narrow(0, 0, MinimumImages), labels.narrow(0, 0, MinimumImages));
        }

        var index = arange(MinimumImages, dtype: ScalarType.Int64, device: images.device).remainder(n);
        return (images.index_select(0, index), labels.index_select(0, index));
    }

    private static Tensor Gradient(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        var x = images.detach().requires_grad_(true);
        var loss = nn.functional.cross_entropy(model.call(x), labels, reduction: nn.Reduction.Sum);
        return autograd.grad(new[] { loss }, new[] { x })[0].detach();
    }

    private static double[] PerImageErrors(Tensor actual, Tensor reference)
    {
        using var scope = NewDisposeScope();
        long n = actual.shape[0];
        var a = actual.to(ScalarType.Float64).reshape(n, -1);
        var b = reference.to(ScalarType.Float64).reshape(n, -1);
        var finite = a.isfinite().all(1);
        var scale = b.norm(1, true).squeeze(1).clamp_min(1e-30);
        var error = (a - b).norm(1, true).squeeze(1) / scale;
        var values = where(finite, error, full_like(error, double.NaN)).cpu().data<double>().ToArray();
        return values;
    }

    private static string[] ConvolutionsAtRisk(nn.Module model)
    {
        var atRisk = new List<string>();
        foreach (var (name, module) in model.named_modules())
        {
            if (module is Conv2d { weight: { } weight } conv && conv.groups == 1)
            {
                var shape = weight.shape;
                long stride = conv.stride is { Length: > 0 } s ? s[0] : 1;
                if (ConvolutionCheck.IsAtRisk(shape[1], shape[0], shape[2], stride))
                {
                    atRisk.Add($"'{name}' ({shape[1]}→{shape[0]}, {shape[2]}×{shape[3]}, stride {stride})");
                }
            }
        }

        return atRisk.ToArray();
    }
}
