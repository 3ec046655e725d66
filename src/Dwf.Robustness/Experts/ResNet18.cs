namespace Dwf.Robustness.Experts;

/// <summary>
/// ResNet-18 for 32×32 inputs (the CIFAR variant): input normalization, 3×3 stride-1 stem without max-pool, BasicBlocks
/// [2,2,2,2] with widths 64/128/256/512 × <see cref="ResNet.Width"/>, global average pooling and a linear head. Takes [0,1]
/// images. Submodule names (conv1, bn1, layer1…layer4, linear, shortcut) follow the common PyTorch CIFAR ResNet so
/// state dicts are key-compatible. At width 1.0 with 10 classes it has 11,173,962 parameters.
/// </summary>
public sealed class ResNet18 : ResNet
{
    /// <summary>Creates the network with freshly initialized weights.</summary>
    /// <param name="numClasses">Output classes.</param>
    /// <param name="width">Width multiplier (0.25 gives 16/32/64/128 channels).</param>
    /// <param name="mean">Per-channel input mean; CIFAR-10's when null.</param>
    /// <param name="std">Per-channel input std; CIFAR-10's when null.</param>
    /// <param name="block">Builds every residual block; <see cref="BasicBlock"/> when null.</param>
    public ResNet18(int numClasses = 10, double width = 1.0, IReadOnlyList<double>? mean = null, IReadOnlyList<double>? std = null, BlockFactory? block = null)
        : base(nameof(ResNet18), numClasses, width, mean, std, ResNetWidth.Planes(numClasses, width, "ResNet-18"), [1, 2, 2, 2], 2,
            block ?? (static (inPlanes, planes, stride) => new BasicBlock(inPlanes, planes, stride)), preActivation: false)
    {
    }
}
