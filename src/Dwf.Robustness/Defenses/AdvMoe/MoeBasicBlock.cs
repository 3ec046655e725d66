using Dwf.Robustness.Numerics;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Defenses.AdvMoe;

/// <summary>The ResNet basic block with both 3×3 convolutions as <see cref="MoeConv2d"/>s and a dense 1×1 projection shortcut, as ADVMoE's ResNet-18.</summary>
internal sealed class MoeBasicBlock : nn.Module<Tensor, Tensor>
{
    private readonly MoeConv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly MoeConv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Sequential shortcut;

    public MoeBasicBlock(long inPlanes, long planes, long stride, int experts, MoeRoutingContext context) : base(nameof(MoeBasicBlock))
    {
        conv1 = new MoeConv2d(inPlanes, planes, experts, 3, stride, 1, context);
        bn1 = nn.BatchNorm2d(planes);
        conv2 = new MoeConv2d(planes, planes, experts, 3, 1, 1, context);
        bn2 = nn.BatchNorm2d(planes);
        shortcut = stride != 1 || inPlanes != planes
            ? nn.Sequential(new ChannelsLastConv2d(inPlanes, planes, 1, stride: stride, bias: false), nn.BatchNorm2d(planes))
            : nn.Sequential();
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var h = bn1.call(conv1.call(input)).relu();
        h = bn2.call(conv2.call(h));
        return (h + shortcut.call(input)).relu().MoveToOuterDisposeScope();
    }

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
