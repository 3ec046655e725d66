using Dwf.Robustness.Numerics;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Testing;

/// <summary>A small CNN with BatchNorm (so train/eval mode matters) that trains in seconds on 3×8×8 images.</summary>
public sealed class TinyCnn : nn.Module<Tensor, Tensor>
{
    private readonly ChannelsLastConv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly ChannelsLastConv2d conv2;
    private readonly Linear fc;

    /// <summary>Creates the network with weights drawn from <paramref name="seed"/>.</summary>
    /// <param name="classes">Output classes.</param>
    /// <param name="seed">Seed of the initial weights.</param>
    public TinyCnn(int classes = 4, long seed = 0) : base(nameof(TinyCnn))
    {
        using (var _ = NewDisposeScope())
        {
            manual_seed(seed);
        }

        conv1 = new ChannelsLastConv2d(3, 8, 3, padding: 1);
        bn1 = nn.BatchNorm2d(8);
        conv2 = new ChannelsLastConv2d(8, 16, 3, stride: 2, padding: 1);
        fc = nn.Linear(16, classes);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.relu(bn1.call(conv1.call(input)));
        h = nn.functional.relu(conv2.call(h));
        h = h.mean(new long[] { 2, 3 });
        return fc.call(h).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            conv1.Dispose();
            bn1.Dispose();
            conv2.Dispose();
            fc.Dispose();
        }

        base.Dispose(disposing);
    }
}
