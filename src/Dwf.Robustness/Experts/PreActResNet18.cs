namespace Dwf.Robustness.Experts;

/// <summary>
/// PreAct ResNet-18 for 32×32 inputs, the architecture of many public CIFAR-10 robust checkpoints (RobustBench's
/// fast-AT and robust-overfitting entries): input normalization, a 3×3 stem, <see cref="PreActBlock"/>s [2,2,2,2]
/// with widths 64/128/256/512 × <see cref="ResNet.Width"/>, a final BatchNorm–ReLU (<c>bn</c>), global average pooling and a
/// linear head. Submodule names (conv1, layer1…layer4, bn, linear, shortcut) follow that code, so its state dicts
/// load directly (with <c>KeyMap</c> for a <c>module.</c> prefix or normalization buffers). The normalization is a
/// non-persistent buffer, as in <see cref="ResNet18"/>.
/// </summary>
public sealed class PreActResNet18 : ResNet
{
    /// <summary>Creates the network with freshly initialized weights.</summary>
    /// <param name="numClasses">Output classes (≥ 2).</param>
    /// <param name="width">Width multiplier in (0, 16]; 1.0 is the standard network.</param>
    /// <param name="mean">Per-channel input mean; CIFAR-10's when null.</param>
    /// <param name="std">Per-channel input std; CIFAR-10's when null.</param>
    public PreActResNet18(int numClasses = 10, double width = 1.0, IReadOnlyList<double>? mean = null, IReadOnlyList<double>? std = null)
        : base(nameof(PreActResNet18), numClasses, width, mean, std, ResNetWidth.Planes(numClasses, width, "PreAct ResNet-18"), [1, 2, 2, 2], 2,
            static (inPlanes, planes, stride) => new PreActBlock(inPlanes, planes, stride), preActivation: true)
    {
    }
}
