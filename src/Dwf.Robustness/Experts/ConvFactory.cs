using static TorchSharp.torch;

namespace Dwf.Robustness.Experts;

/// <summary>
/// Builds a block's bias-free square convolution (as torchvision's blocks take a <c>conv3x3</c>): <see cref="BasicBlock"/>
/// calls it for its two 3×3 convolutions, so a different convolution — e.g. ADVMoE's mixture-of-experts convolution —
/// replaces <see cref="Numerics.ChannelsLastConv2d"/> without another block class. Maps [B,<paramref name="inChannels"/>,H,W]
/// to [B,<paramref name="outChannels"/>,H/<paramref name="stride"/>,W/<paramref name="stride"/>] with the given padding.
/// </summary>
/// <param name="inChannels">Input channels.</param>
/// <param name="outChannels">Output channels.</param>
/// <param name="kernel">Kernel side.</param>
/// <param name="stride">Stride.</param>
/// <param name="padding">Zero padding on each side.</param>
/// <returns>A new convolution module.</returns>
public delegate nn.Module<Tensor, Tensor> ConvFactory(long inChannels, long outChannels, long kernel, long stride, long padding);
