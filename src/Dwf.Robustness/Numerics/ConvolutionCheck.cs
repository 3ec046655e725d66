using Dwf.Robustness.Infrastructure;
using static TorchSharp.torch;

namespace Dwf.Robustness.Numerics;

/// <summary>
/// Compares the installed libtorch's float32 convolution (forward, input gradient, weight gradient) with the same
/// computation in float64, which libtorch runs on its own kernels: where the two disagree, float32 is wrong on this
/// machine. <see cref="Run"/> checks one configuration, plain or through <see cref="ChannelsLastConv2d"/>. Running a plain
/// case that is wrong here can corrupt the process's heap (oneDNN writes out of bounds): run plain cases in a process of
/// their own, as the <c>conv-check plain</c> benchmark command does.
/// </summary>
public static class ConvolutionCheck
{
    /// <summary>
    /// Whether this process runs libtorch's oneDNN JIT kernels that were measured wrong on NCHW convolutions whose
    /// channel counts are not multiples of 16: x86-64 CPUs with AVX2 or AVX-512 (the AVX-512 EPYC hosts of this
    /// project, and AVX2 as oneDNN runs it with <c>ONEDNN_MAX_CPU_ISA=AVX2</c>). Decided from the CPU, not by running
    /// such a convolution: the wrong kernels can corrupt the heap of the process that runs them.
    /// </summary>
    public static bool NchwKernelsWrongHere => System.Runtime.Intrinsics.X86.Avx2.IsSupported;

    /// <summary>
    /// Whether a dense NCHW convolution of this shape is one of those libtorch 2.10's oneDNN computes wrong on affected
    /// machines: a k×k kernel (k &gt; 1) with more than 16 input channels that are not a multiple of 16 (the forward
    /// pass), or at stride 1 with output channels that are not a multiple of 16 (the input gradient).
    /// </summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Kernel size.</param>
    /// <param name="stride">Stride.</param>
    public static bool IsAtRisk(long inChannels, long outChannels, long kernelSize, long stride) =>
        kernelSize > 1 && ((inChannels > 16 && inChannels % 16 != 0) || (stride == 1 && outChannels % 16 != 0));

    /// <summary>Runs one case on fresh random tensors drawn from <paramref name="seed"/> (CPU).</summary>
    /// <param name="convolution">The configuration.</param>
    /// <param name="library">True for <see cref="ChannelsLastConv2d.Convolve"/>, false for plain <c>conv2d</c>.</param>
    /// <param name="seed">Seed of the random input and weights.</param>
    /// <returns>The three relative errors.</returns>
    public static ConvolutionCheckResult Run(ConvolutionCase convolution, bool library, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(convolution);
        LibTorchSettings.Apply();
        using var scope = NewDisposeScope();
        using var enabled = enable_grad();
        using var generator = Seeds.Generator(seed, convolution.InChannels, convolution.OutChannels, convolution.KernelSize, convolution.Batch);
        var c = convolution;
        var x64 = randn(new[] { c.Batch, c.InChannels, c.Size, c.Size }, dtype: ScalarType.Float64, generator: generator);
        var w64 = randn(new[] { c.OutChannels, c.InChannels, c.KernelSize, c.KernelSize }, dtype: ScalarType.Float64, generator: generator)
            * (1.0 / Math.Sqrt(c.InChannels * c.KernelSize * c.KernelSize));
        var (y32, gx32, gw32) = ForwardBackward(x64.to(ScalarType.Float32), w64.to(ScalarType.Float32), c, library);
        var (y64, gx64, gw64) = ForwardBackward(x64, w64, c, library: false);
        return new ConvolutionCheckResult(c, library, RelativeError(y32, y64), RelativeError(gx32, gx64), RelativeError(gw32, gw64));
    }

    /// <summary>max |a − b| / max |b|, with a in float32 and b in float64; NaN when a has a non-finite value.</summary>
    /// <param name="actual">The float32 result.</param>
    /// <param name="reference">The float64 result.</param>
    /// <returns>The relative error.</returns>
    public static double RelativeError(Tensor actual, Tensor reference)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(reference);
        using var scope = NewDisposeScope();
        var a = actual.to(ScalarType.Float64);
        if (!a.isfinite().all().item<bool>())
        {
            return double.NaN;
        }

        double scale = reference.abs().max().item<double>();
        double difference = (a - reference).abs().max().item<double>();
        return scale > 0 ? difference / scale : difference;
    }

    private static (Tensor Output, Tensor InputGradient, Tensor WeightGradient) ForwardBackward(Tensor input, Tensor weight, ConvolutionCase c, bool library)
    {
        var x = (c.Layout == ConvolutionLayout.Contiguous ? input.contiguous() : ChannelsLastConv2d.ToChannelsLast(input)).detach().requires_grad_(true);
        var w = weight.detach().requires_grad_(true);
        var y = library
            ? ChannelsLastConv2d.Convolve(x, w, null, c.Stride, c.Padding)
            : nn.functional.conv2d(x, w, null, strides: new[] { c.Stride }, padding: new[] { c.Padding });
        // contiguous() is a copy whose backward hands the gradient on NCHW-contiguous.
        var output = c.Layout == ConvolutionLayout.ChannelsLastContiguousGradient ? y.contiguous() : y;
        var gradients = autograd.grad(new[] { (output * output).sum() }, new[] { x, w });
        return (y.detach(), gradients[0], gradients[1]);
    }
}
