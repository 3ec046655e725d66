using Dwf.Robustness.Numerics;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Defenses.AdvMoe;

/// <summary>
/// ADVMoE's MoE convolution (Zhang et al., ICCV 2023): one convolution with <c>experts × outChannels</c> output
/// channels, split into <c>experts</c> groups of <c>outChannels</c>; each image gets only the group its route
/// selects. The route is a straight-through one-hot: its value picks the group, and the gradient reaching the chosen
/// group's gate entry is passed to the router's score of that group unchanged (as the reference's <c>GetMask</c>).
/// </summary>
internal sealed class MoeConv2d : nn.Module<Tensor, Tensor>
{
    private readonly ChannelsLastConv2d conv;
    private readonly MoeRoutingContext context;

    public MoeConv2d(long inChannels, long outChannels, int experts, long kernel, long stride, long padding, MoeRoutingContext context)
        : base(nameof(MoeConv2d))
    {
        OutChannels = outChannels;
        Experts = experts;
        this.context = context;
        conv = new ChannelsLastConv2d(inChannels, outChannels * experts, kernel, stride: stride, padding: padding, bias: false);
        RegisterComponents();
    }

    public long OutChannels { get; }

    public int Experts { get; }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var gate = context.Gate; // [B,E]
        var all = conv.call(input);
        long b = all.shape[0], h = all.shape[2], w = all.shape[3];
        var grouped = all.view(b, Experts, OutChannels, h, w);
        var chosen = gate.detach().argmax(1); // [B]
        var picked = grouped.gather(1, chosen.view(b, 1, 1, 1, 1).expand(b, 1, OutChannels, h, w)).squeeze(1);
        var weight = gate.gather(1, chosen.view(b, 1)).view(b, 1, 1, 1); // 1 in value; the router's gradient path
        return (picked * weight).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            conv.Dispose();
        }

        base.Dispose(disposing);
    }
}
