using Dwf.Robustness.Numerics;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Experts;

/// <summary>
/// The pre-activation basic block (He et al., 2016): BatchNorm–ReLU before each 3×3 convolution. A 1×1 projection
/// shortcut, when the shape changes, takes the pre-activated input; otherwise the shortcut is the raw input, as in
/// the PyTorch code of many public robust CIFAR-10 checkpoints (fast adversarial training, robust overfitting).
/// </summary>
public sealed class PreActBlock : nn.Module<Tensor, Tensor>
{
    private readonly BatchNorm2d bn1;
    private readonly ChannelsLastConv2d conv1;
    private readonly BatchNorm2d bn2;
    private readonly ChannelsLastConv2d conv2;
    private readonly Sequential? shortcut;

    /// <summary>Creates a block.</summary>
    /// <param name="inPlanes">Input channels.</param>
    /// <param name="planes">Output channels.</param>
    /// <param name="stride">Stride of the first convolution.</param>
    public PreActBlock(long inPlanes, long planes, long stride) : base(nameof(PreActBlock))
    {
        bn1 = nn.BatchNorm2d(inPlanes);
        conv1 = new ChannelsLastConv2d(inPlanes, planes, 3, stride: stride, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(planes);
        conv2 = new ChannelsLastConv2d(planes, planes, 3, stride: 1, padding: 1, bias: false);
        if (stride != 1 || inPlanes != planes)
        {
            shortcut = nn.Sequential(new ChannelsLastConv2d(inPlanes, planes, 1, stride: stride, bias: false));
        }

        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var pre = bn1.call(input).relu_(); // BatchNorm's backward needs its input, so its output may be overwritten
        var skip = shortcut is null ? input : shortcut.call(pre);
        var h = conv1.call(pre);
        h = conv2.call(bn2.call(h).relu_());
        return h.add_(skip).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            bn1.Dispose();
            conv1.Dispose();
            bn2.Dispose();
            conv2.Dispose();
            shortcut?.Dispose();
        }

        base.Dispose(disposing);
    }
}
