namespace Dwf.Robustness.Experts;

/// <summary>
/// The CIFAR ResNet of He et al. (2016), depth 6n + 2 (ResNet-20 at n = 3): input normalization, a 3×3 stem of
/// 16 × <see cref="ResNet.Width"/> channels, three stages of n <see cref="BasicBlock"/>s (or <see cref="BlockFactory"/>
/// blocks) at 16/32/64 × width channels with strides 1, 2, 2, global average pooling and a linear head. Shortcuts that
/// change shape are 1×1 projections (option B), as in the SoE reference code. SoE's experts and ADVMoE's router are
/// ResNet-20s. At width 1.0 with 10 classes it has 272,474 parameters (pinned by a test).
/// </summary>
public sealed class CifarResNet : ResNet
{
    /// <summary>Creates the network with freshly initialized weights.</summary>
    /// <param name="numClasses">Outputs (≥ 2).</param>
    /// <param name="depth">6n + 2 with n ≥ 1: 20 (default), 32, 44, 56, 110.</param>
    /// <param name="width">Width multiplier in (0, 16]; 1.0 gives 16/32/64 channels.</param>
    /// <param name="mean">Per-channel input mean; CIFAR-10's when null.</param>
    /// <param name="std">Per-channel input std; CIFAR-10's when null.</param>
    /// <param name="block">Builds every residual block; <see cref="BasicBlock"/> when null.</param>
    public CifarResNet(int numClasses = 10, int depth = 20, double width = 1.0, IReadOnlyList<double>? mean = null, IReadOnlyList<double>? std = null, BlockFactory? block = null)
        : base(nameof(CifarResNet), numClasses, width, mean, std, Planes(numClasses, depth, width), [1, 2, 2], (depth - 2) / 6,
            block ?? (static (inPlanes, planes, stride) => new BasicBlock(inPlanes, planes, stride)), preActivation: false)
    {
        Depth = depth;
    }

    /// <summary>Depth 6n + 2.</summary>
    public int Depth { get; }

    /// <summary>Checks the arguments (before anything is built) and returns the three stage widths, 16/32/64 × width.</summary>
    internal static long[] Planes(int numClasses, int depth, double width)
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

        return [Channels(16, width), Channels(32, width), Channels(64, width)];
    }

    private static long Channels(int baseChannels, double width) => Math.Max(1, (long)Math.Round(baseChannels * width));
}
