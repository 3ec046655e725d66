using Dwf.Robustness.Infrastructure;
using static TorchSharp.torch;
using Dwf.Robustness.Defaults;

namespace Dwf.Robustness.Experts;

/// <summary>
/// Per-channel (x − mean) / std as the first layer of a model, so the model takes [0,1] images and attacks work in
/// pixel space. Mean and std are non-persistent buffers: they follow the module's device but are not part of the
/// state dict, which stays key-compatible with PyTorch CIFAR ResNets. By default the output is laid out channels-last
/// (NHWC strides; TorchSharp has no memory-format API, so this is done with permute–contiguous–permute), which oneDNN
/// keeps through the network: measured +35–45% forward+backward and +25% PGD throughput for ResNet-18 at width 0.25 on
/// 2 CPU cores (docs/performance.md). Values are unchanged; only the memory layout differs.
/// </summary>
public sealed class InputNormalization : nn.Module<Tensor, Tensor>
{
    /// <summary>CIFAR-10 training-set channel means.</summary>
    public static IReadOnlyList<double> Cifar10Mean => OurDefaults.Cifar10Mean;

    /// <summary>CIFAR-10 training-set channel standard deviations.</summary>
    public static IReadOnlyList<double> Cifar10Std => OurDefaults.Cifar10Std;

    private readonly Tensor mean;
    private readonly Tensor std;

    /// <summary>Creates the layer.</summary>
    /// <param name="mean">Per-channel mean; CIFAR-10's when null.</param>
    /// <param name="std">Per-channel std (all &gt; 0); CIFAR-10's when null.</param>
    /// <param name="channelsLast">Lay the output out channels-last (faster convolutions on CPU); default true.</param>
    public InputNormalization(IReadOnlyList<double>? mean = null, IReadOnlyList<double>? std = null, bool channelsLast = true)
        : base(nameof(InputNormalization))
    {
        ChannelsLast = channelsLast;
        mean ??= Cifar10Mean;
        std ??= Cifar10Std;
        if (mean.Count != std.Count || mean.Count == 0)
        {
            throw new ArgumentException($"mean and std must have the same, non-zero length; got {mean.Count} and {std.Count}.", nameof(std));
        }

        if (std.Any(s => !(s > 0)))
        {
            throw new ArgumentException($"std values must be > 0; got [{string.Join(", ", std)}].", nameof(std));
        }

        Mean = mean.ToArray();
        Std = std.ToArray();
        this.mean = ChannelBuffer(mean);
        this.std = ChannelBuffer(std);
        register_buffer(nameof(this.mean), this.mean, persistent: false);
        register_buffer(nameof(this.std), this.std, persistent: false);
        RegisterComponents();
    }

    /// <summary>
    /// [1,C,1,1] float32, in no dispose scope. The flat tensor is held in a variable while it is reshaped: a module is
    /// often built outside any dispose scope, where an unreferenced temporary can be finalized by the garbage collector
    /// during the native call (a use after free; benchmark finalizer-race).
    /// </summary>
    private static Tensor ChannelBuffer(IReadOnlyList<double> values)
    {
        using var flat = tensor(values.Select(v => (float)v).ToArray());
        return flat.view(1, -1, 1, 1).DetachFromDisposeScope();
    }

    /// <summary>The per-channel means subtracted (a copy of the constructor's values).</summary>
    public IReadOnlyList<double> Mean { get; }

    /// <summary>The per-channel standard deviations divided by.</summary>
    public IReadOnlyList<double> Std { get; }

    /// <summary>Whether the output is laid out channels-last.</summary>
    public bool ChannelsLast { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 4 || input.shape[1] != mean.shape[1])
        {
            throw new ArgumentException(
                $"Expected images [B,{mean.shape[1]},H,W]; got shape {InputGuards.Shape(input.shape)}.", nameof(input));
        }

        if (!input.is_floating_point())
        {
            throw new ArgumentException(
                $"Expected float images in [0,1]; got {input.dtype}. Convert uint8 images with images.to(ScalarType.Float32) / 255.", nameof(input));
        }

        using var scope = NewDisposeScope();
        var normalized = (input - mean) / std;
        return (ChannelsLast ? normalized.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : normalized).MoveToOuterDisposeScope();
    }
}
