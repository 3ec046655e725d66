using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Downstream.App;

/// <summary>The team's own network: any <c>nn.Module&lt;Tensor, Tensor&gt;</c> from N×3×H×W images in [0,1] to
/// logits can be wrapped as an expert.</summary>
public sealed class SmallNet : nn.Module<Tensor, Tensor>
{
    private readonly Sequential features;
    private readonly Linear head;

    /// <summary>Creates the network with weights drawn from <paramref name="seed"/>.</summary>
    public SmallNet(int classes, long seed) : base(nameof(SmallNet))
    {
        manual_seed(seed);
        features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding: 1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride: 2, padding: 1), nn.BatchNorm2d(32), nn.ReLU());
        head = nn.Linear(32, classes);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var pooled = features.call(input).mean(new long[] { 2, 3 });
        return head.call(pooled).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            features.Dispose();
            head.Dispose();
        }

        base.Dispose(disposing);
    }
}
