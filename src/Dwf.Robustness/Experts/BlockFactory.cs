using static TorchSharp.torch;

namespace Dwf.Robustness.Experts;

/// <summary>
/// Builds one residual block of a ResNet stage (as torchvision's ResNet takes its block type): <see cref="ResNet18"/>
/// and <see cref="CifarResNet"/> call it for every block, so a different block — e.g. a mixture-of-experts block —
/// replaces <see cref="BasicBlock"/> without another network class. The block maps [B,<paramref name="inPlanes"/>,H,W]
/// to [B,<paramref name="planes"/>,H/<paramref name="stride"/>,W/<paramref name="stride"/>].
/// </summary>
/// <param name="inPlanes">Input channels.</param>
/// <param name="planes">Output channels.</param>
/// <param name="stride">1, or 2 to halve the resolution.</param>
/// <returns>A new block.</returns>
public delegate nn.Module<Tensor, Tensor> BlockFactory(long inPlanes, long planes, long stride);
