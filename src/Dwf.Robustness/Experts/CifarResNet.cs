using Dwf.Robustness.Numerics;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Experts;

/// <summary>
/// The CIFAR ResNet of He et al. (2016), depth 6n + 2 (ResNet-20 at n = 3): input normalization, a 3×3 stem of
/// 16 × <see cref="Width"/> channels, three stages of n <see cref="BasicBlock"/>s (or <see cref="BlockFactory"/>
/// blocks) at 16/32/64 × width channels with strides 1, 2, 2, global average pooling and a linear head. Shortcuts that
/// change shape are 1×1 projections (option B), as in the SoE reference code. SoE's experts and ADVMoE's router are
/// ResNet-20s. At width 1.0 with 10 classes it has 272,474 parameters (pinned by a test).
/// </summary>
public sealed class CifarResNet : nn.Module<Tensor, Tensor>
{
    private readonly InputNormalization normalize;
    private readonly ChannelsLastConv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Linear linear;

    /// <summary>Creates the network with freshly initialized weights.</summary>
    /// <param name="numClasses">Outputs (≥ 2).</param>
    /// <param name="depth">6n + 2 with n ≥ 1: 20 (default), 32, 44, 56, 110.</param>
    /// <param name="width">Width multiplier in (0, 16]; 1.0 gives 16/32/64 channels.</param>
    /// <param name="mean">Per-channel input mean; CIFAR-10's when null.</param>
    /// <param name="std">Per-channel input std; CIFAR-10's when null.</param>
    /// <param name="block">Builds every residual block; <see cref="BasicBlock"/> when null.</param>
    public CifarResNet(int numClasses = 10, int depth = 20, double width = 1.0, IReadOnlyList<double>? mean = null, IReadOnlyList<double>? std = null, BlockFactory? block = null)
        : base(nameof(CifarResNet))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 2);
        if (depth < 8 || (depth - 2) % 6 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(depth), depth, "A CIFAR ResNet has depth 6n + 2 with n ≥ 1 (20, 32, 44, 56, 110).");
        }

        if (!(width > 0) || width > 16)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "The width multiplier must be in (0, 16]; 1.0 is the standard CIFAR ResNet (16/32/64 channels).");
        }

        block ??= static (inPlanes, planes, stride) => new BasicBlock(inPlanes, planes, stride);
        int n = (depth - 2) / 6;
        long c1 = Channels(16, width), c2 = Channels(32, width), c3 = Channels(64, width);
        NumClasses = numClasses;
        Depth = depth;
        Width = width;
        normalize = new InputNormalization(mean, std);
        conv1 = new ChannelsLastConv2d(3, c1, 3, stride: 1, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(c1);
        layer1 = Stage(block, c1, c1, 1, n);
        layer2 = Stage(block, c1, c2, 2, n);
        layer3 = Stage(block, c2, c3, 2, n);
        linear = nn.Linear(c3, numClasses);
        RegisterComponents();
    }

    /// <summary>Number of outputs.</summary>
    public int NumClasses { get; }

    /// <summary>Depth 6n + 2.</summary>
    public int Depth { get; }

    /// <summary>Width multiplier.</summary>
    public double Width { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var h = bn1.call(conv1.call(normalize.call(input))).relu_();
        h = layer3.call(layer2.call(layer1.call(h)));
        h = nn.functional.adaptive_avg_pool2d(h, 1).flatten(1);
        return linear.call(h).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            normalize.Dispose();
            conv1.Dispose();
            bn1.Dispose();
            layer1.Dispose();
            layer2.Dispose();
            layer3.Dispose();
            linear.Dispose();
        }

        base.Dispose(disposing);
    }

    private static long Channels(int baseChannels, double width) => Math.Max(1, (long)Math.Round(baseChannels * width));

    private static Sequential Stage(BlockFactory block, long inPlanes, long planes, long stride, int blocks) =>
        nn.Sequential(Enumerable.Range(0, blocks).Select(i => block(i == 0 ? inPlanes : planes, planes, i == 0 ? stride : 1)).ToArray());
}
