using Dwf.Robustness.Numerics;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Experts;

/// <summary>
/// The ResNet basic block: two 3×3 convolutions with BatchNorm and an identity or 1×1 projection shortcut. The 3×3
/// convolutions come from a <see cref="ConvFactory"/> (<see cref="ChannelsLastConv2d"/> by default; ADVMoE's block
/// passes its mixture-of-experts convolution); the shortcut is always a dense convolution.
/// </summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> conv1;
    private readonly BatchNorm2d bn1;
    private readonly nn.Module<Tensor, Tensor> conv2;
    private readonly BatchNorm2d bn2;
    private readonly Sequential shortcut;

    /// <summary>Creates a block.</summary>
    /// <param name="inPlanes">Input channels.</param>
    /// <param name="planes">Output channels.</param>
    /// <param name="stride">Stride of the first convolution (2 halves the resolution).</param>
    /// <param name="conv">Builds the two 3×3 convolutions; a bias-free <see cref="ChannelsLastConv2d"/> when null.</param>
    public BasicBlock(long inPlanes, long planes, long stride, ConvFactory? conv = null) : base(nameof(BasicBlock))
    {
        conv ??= static (i, o, k, s, p) => new ChannelsLastConv2d(i, o, k, stride: s, padding: p, bias: false);
        conv1 = conv(inPlanes, planes, 3, stride, 1);
        bn1 = nn.BatchNorm2d(planes);
        conv2 = conv(planes, planes, 3, 1, 1);
        bn2 = nn.BatchNorm2d(planes);
        shortcut = stride != 1 || inPlanes != planes
            ? nn.Sequential(new ChannelsLastConv2d(inPlanes, planes, 1, stride: stride, bias: false), nn.BatchNorm2d(planes))
            : nn.Sequential();
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        // In place where autograd allows it (as torchvision does): BatchNorm's backward needs its input, not its
        // output, so the ReLU and the residual sum may overwrite BatchNorm outputs; saves two buffers per block.
        var h = bn1.call(conv1.call(input)).relu_();
        h = bn2.call(conv2.call(h));
        return h.add_(shortcut.call(input)).relu_().MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            conv1.Dispose();
            bn1.Dispose();
            conv2.Dispose();
            bn2.Dispose();
            shortcut.Dispose();
        }

        base.Dispose(disposing);
    }
}
