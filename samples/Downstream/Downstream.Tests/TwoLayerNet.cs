using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Downstream.Tests;

/// <summary>The team's own module under test: a two-layer network on flattened 3×8×8 images.</summary>
public sealed class TwoLayerNet : nn.Module<Tensor, Tensor>
{
    private readonly Linear hidden;
    private readonly Linear output;

    /// <summary>Creates the network with weights drawn from <paramref name="seed"/>.</summary>
    public TwoLayerNet(int classes, long seed) : base(nameof(TwoLayerNet))
    {
        manual_seed(seed);
        hidden = nn.Linear(3 * 8 * 8, 32);
        output = nn.Linear(32, classes);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.relu(hidden.call(input.flatten(1)));
        return output.call(h).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hidden.Dispose();
            output.Dispose();
        }

        base.Dispose(disposing);
    }
}
