using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Numerics;

/// <summary>
/// A 2-d convolution, the same function and the same parameters as TorchSharp's <see cref="Conv2d"/> (state-dict keys
/// <c>weight</c> and <c>bias</c>, initialized from the same random draws), that always runs on a channels-last
/// (NHWC-strided) input with its channel counts padded to multiples of 16 (<see cref="Convolve"/>).
/// </summary>
/// <remarks>
/// libtorch 2.10's oneDNN convolution is wrong on NCHW tensors whose channel count is not a multiple of the vector
/// width, on AVX-512 and AVX2 CPUs alike: the input gradient when the output channels are not (3→8, 8→8, 3→12,
/// 16→8: errors of 6–90 %, NaN, and heap corruption), and the forward pass itself when more than 16 input channels are
/// not (24→16, 40→16). On channels-last tensors the same convolutions are right in every case measured
/// (docs/reliability.md, "Convolution gradients", and <see cref="ConvolutionCheck"/>) — except that a channels-last
/// 1×1 stride-2 convolution with 8 input channels still corrupted the heap in its backward pass (a width-0.125
/// ResNet-18's shortcut). With every channel count a multiple of 16 as well, only the kernels that full-width models
/// use run. The padding is zero filters and zero channels, sliced off again: the values, gradients and saved weights
/// are those of the unpadded convolution; it costs compute only where a count is not a multiple of 16 (narrow models).
/// Every convolution the library builds is one of these; use it for your own models too, or check them with
/// <see cref="InputGradientCheck"/>.
/// </remarks>
public sealed class ChannelsLastConv2d : nn.Module<Tensor, Tensor>
{
    private readonly long _groups;

    /// <summary>Creates the convolution; the arguments mean what they mean for <c>nn.Conv2d</c>.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Square kernel size.</param>
    /// <param name="stride">Stride.</param>
    /// <param name="padding">Zero padding on each side.</param>
    /// <param name="bias">Whether the convolution has a bias.</param>
    /// <param name="groups">Groups (1: dense).</param>
    public ChannelsLastConv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, bool bias = true, long groups = 1)
        : base(nameof(ChannelsLastConv2d))
    {
        if (inChannels < 1 || outChannels < 1 || kernelSize < 1 || stride < 1 || padding < 0 || groups < 1
            || inChannels % groups != 0 || outChannels % groups != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(inChannels),
                $"A convolution needs inChannels, outChannels, kernelSize, stride, groups ≥ 1, padding ≥ 0 and both channel counts divisible by groups; " +
                $"got inChannels {inChannels}, outChannels {outChannels}, kernelSize {kernelSize}, stride {stride}, padding {padding}, groups {groups}.");
        }

        LibTorchSettings.Apply();
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        _groups = groups;
        // Initialized by TorchSharp's own Conv2d, so a seed gives the same weights as an nn.Conv2d would get.
        using (var reference = nn.Conv2d(inChannels, outChannels, kernelSize, stride: stride, padding: padding, bias: bias, groups: groups))
        using (no_grad())
        {
            // Registered by name (a move to another device or type replaces both the registered parameter and the
            // property of that name, as in TorchSharp's own modules).
            weight = new Parameter(Copy(reference.weight!));
            register_parameter(nameof(weight), weight);
            if (bias)
            {
                this.bias = new Parameter(Copy(reference.bias!));
                register_parameter(nameof(this.bias), this.bias);
            }
        }
    }

    /// <summary>
    /// A detached copy of <paramref name="source"/>. The detached view is held in a variable until the copy is made: a
    /// module is often built outside any dispose scope, and an unreferenced temporary (<c>source.detach().clone()</c>)
    /// can be finalized by the garbage collector while libtorch is still copying it, a use after free that crashed test
    /// hosts (benchmark finalizer-race: within seconds before this change).
    /// </summary>
    private static Tensor Copy(Tensor source)
    {
        using var detached = source.detach();
        return detached.clone();
    }

    /// <summary>Input channels.</summary>
    public long InChannels { get; }

    /// <summary>Output channels.</summary>
    public long OutChannels { get; }

    /// <summary>Square kernel size.</summary>
    public long KernelSize { get; }

    /// <summary>Stride.</summary>
    public long Stride { get; }

    /// <summary>Zero padding on each side.</summary>
    public long Padding { get; }

#pragma warning disable IDE1006, SA1300 // PyTorch state-dict names
    /// <summary>The filters, [out, in / groups, k, k]. (The private setter is for TorchSharp's moves between devices and types.)</summary>
    public Parameter weight { get; private set; }

    /// <summary>The bias, [out], or null.</summary>
    public Parameter? bias { get; private set; }
#pragma warning restore IDE1006, SA1300

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => Convolve(input, weight, bias, Stride, Padding, _groups);

    /// <summary>
    /// <c>conv2d</c> on <paramref name="input"/> laid out channels-last (re-laid if it is not), with the channel counts
    /// padded to multiples of <see cref="ChannelMultiple"/> for a dense convolution: output channels by zero filters
    /// (sliced off the result), input channels by zero channels (except an image's few channels, <see cref="UnpaddedInputChannels"/>). The same
    /// values as the plain convolution, computed on oneDNN's kernels for full vectors.
    /// </summary>
    /// <param name="input">[N,C,H,W], any layout.</param>
    /// <param name="weight">[O,C/groups,k,k].</param>
    /// <param name="bias">[O] or null.</param>
    /// <param name="stride">Stride.</param>
    /// <param name="padding">Zero padding on each side.</param>
    /// <param name="groups">Groups (grouped convolutions are not padded).</param>
    /// <returns>[N,O,H',W'].</returns>
    public static Tensor Convolve(Tensor input, Tensor weight, Tensor? bias, long stride, long padding, long groups = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        long outChannels = weight.shape[0], inChannels = weight.shape[1];
        long outExtra = groups == 1 ? PaddedCount(outChannels) - outChannels : 0;
        bool imageInput = inChannels <= UnpaddedInputChannels && weight.shape[2] > 1; // an image's channels into a k×k kernel
        long inExtra = groups == 1 && !imageInput ? PaddedCount(inChannels) - inChannels : 0;
        if (outExtra == 0 && inExtra == 0 && IsChannelsLast(input))
        {
            return nn.functional.conv2d(input, weight, bias, strides: new[] { stride }, padding: new[] { padding }, groups: groups);
        }

        using var scope = NewDisposeScope();
        var x = inExtra > 0 ? nn.functional.pad(input, new long[] { 0, 0, 0, 0, 0, inExtra }) : input;
        x = IsChannelsLast(x) ? x : ToChannelsLast(x);
        var w = outExtra > 0 || inExtra > 0 ? nn.functional.pad(weight, new long[] { 0, 0, 0, 0, 0, inExtra, 0, outExtra }) : weight;
        var b = bias is not null && outExtra > 0 ? nn.functional.pad(bias, new long[] { 0, outExtra }) : bias;
        var y = nn.functional.conv2d(x, w, b, strides: new[] { stride }, padding: new[] { padding }, groups: groups);
        return (outExtra > 0 ? y.narrow(1, 0, outChannels) : y).MoveToOuterDisposeScope();
    }

    /// <summary>Channel counts are padded to a multiple of this: 16 floats, one AVX-512 vector (two AVX2 vectors).</summary>
    public const long ChannelMultiple = 16;

    /// <summary>
    /// Input channels up to this many (an image's 1–4) are not padded into a k×k kernel (k &gt; 1): oneDNN has kernels of
    /// their own for them, right in every case measured. Into a 1×1 kernel they are padded (a 4→8 1×1 stride-2
    /// convolution corrupted the heap).
    /// </summary>
    public const long UnpaddedInputChannels = 4;

    /// <summary>The channel count rounded up to a multiple of <see cref="ChannelMultiple"/>.</summary>
    /// <param name="channels">Channels.</param>
    public static long PaddedCount(long channels) => (channels + ChannelMultiple - 1) / ChannelMultiple * ChannelMultiple;

    /// <summary>Whether a 4-d tensor is densely laid out channels-last (strides [H·W·C, 1, W·C, C]).</summary>
    /// <param name="x">The tensor.</param>
    public static bool IsChannelsLast(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.dim() != 4)
        {
            return false;
        }

        long c = x.shape[1], w = x.shape[3], h = x.shape[2];
        var s = x.stride();
        return s[1] == 1 && s[3] == c && s[2] == w * c && (x.shape[0] == 1 || s[0] == h * w * c);
    }

    /// <summary>The same values with channels-last strides (a copy; TorchSharp has no memory-format argument).</summary>
    /// <param name="x">[N,C,H,W].</param>
    public static Tensor ToChannelsLast(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
    }
}
