using Dwf.Robustness.Numerics;
using Dwf.Robustness.Experts;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Dwf.Robustness.Defaults;

namespace Dwf.Robustness.Moe;

/// <summary>
/// The soft gate: a small CNN on the input image that scores every expert, then softmax(scores / temperature), so
/// every weight is positive and the weights of a sample sum to 1 — soft, flat and fractional as in the paper, where
/// every expert contributes. The paper does not specify the gate's layers; this design is ours: input
/// normalization, three 3×3 conv–BatchNorm–ReLU stages (width, 2·width, 4·width channels; strides 1, 2, 2), global
/// average pooling and a linear layer to one score per expert. Any module returning [B,E] weights can replace it.
/// </summary>
public sealed class SoftGate : GateScorer
{
    private readonly InputNormalization normalize;
    private readonly Sequential features;
    private readonly Linear scores;

    /// <summary>Creates a gate.</summary>
    /// <param name="experts">Number of experts E (≥ 1).</param>
    /// <param name="width">Channels of the first stage; default 16 (ours).</param>
    /// <param name="temperature">Softmax temperature (&gt; 0); 1 by default. Larger flattens the weights.</param>
    /// <param name="channels">Image channels C (≥ 1); 3 by default.</param>
    /// <param name="mean">Per-channel mean of the gate's input normalization (length <paramref name="channels"/>); CIFAR-10's when null.</param>
    /// <param name="std">Per-channel std (all &gt; 0); CIFAR-10's when null.</param>
    public SoftGate(int experts, int width = OurDefaults.GateWidth, double temperature = 1.0, int channels = 3, IReadOnlyList<double>? mean = null, IReadOnlyList<double>? std = null)
        : base(nameof(SoftGate), experts, temperature)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        mean ??= channels == 3 ? OurDefaults.Cifar10Mean : null;
        std ??= channels == 3 ? OurDefaults.Cifar10Std : null;
        if (mean is null || std is null || mean.Count != channels || std.Count != channels)
        {
            throw new ArgumentException(
                $"The gate's normalization needs a mean and std for each of its {channels} channels; got {mean?.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} and {std?.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}. " +
                "Pass mean: and std: (the defaults are CIFAR-10's, for 3 channels).", nameof(mean));
        }

        Width = width;
        Channels = channels;
        normalize = new InputNormalization(mean, std);
        features = nn.Sequential(
            new ChannelsLastConv2d(channels, width, 3, stride: 1, padding: 1, bias: false), nn.BatchNorm2d(width), nn.ReLU(),
            new ChannelsLastConv2d(width, 2 * width, 3, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(2 * width), nn.ReLU(),
            new ChannelsLastConv2d(2 * width, 4 * width, 3, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(4 * width), nn.ReLU());
        scores = nn.Linear(4 * width, experts);
        RegisterComponents();
    }

    /// <summary>Channels of the first stage.</summary>
    public int Width { get; }

    /// <summary>Image channels the gate takes.</summary>
    public int Channels { get; }

    /// <summary>The gate's input normalization means.</summary>
    public IReadOnlyList<double> Mean => normalize.Mean;

    /// <summary>The gate's input normalization standard deviations.</summary>
    public IReadOnlyList<double> Std => normalize.Std;

    /// <inheritdoc />
    public override Tensor Scores(Tensor input)
    {
        using var scope = NewDisposeScope();
        var h = features.call(normalize.call(input));
        h = nn.functional.adaptive_avg_pool2d(h, 1).flatten(1);
        return scores.call(h).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            normalize.Dispose();
            features.Dispose();
            scores.Dispose();
        }

        base.Dispose(disposing);
    }
}
