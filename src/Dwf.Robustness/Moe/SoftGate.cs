using Dwf.Robustness.Experts;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Moe;

/// <summary>
/// The soft gate: a small CNN on the input image that scores every expert, then softmax(scores / temperature), so
/// every weight is positive and the weights of a sample sum to 1 — soft, flat and fractional as in the paper, where
/// every expert contributes. The paper does not specify the gate's layers; this design is ours: input
/// normalization, three 3×3 conv–BatchNorm–ReLU stages (width, 2·width, 4·width channels; strides 1, 2, 2), global
/// average pooling and a linear layer to one score per expert. Any module returning [B,E] weights can replace it.
/// </summary>
public sealed class SoftGate : nn.Module<Tensor, Tensor>
{
    private readonly InputNormalization normalize;
    private readonly Sequential features;
    private readonly Linear scores;

    /// <summary>Creates a gate.</summary>
    /// <param name="experts">Number of experts E (≥ 1).</param>
    /// <param name="width">Channels of the first stage; default 16 (ours).</param>
    /// <param name="temperature">Softmax temperature (&gt; 0); 1 by default. Larger flattens the weights.</param>
    public SoftGate(int experts, int width = 16, double temperature = 1.0) : base(nameof(SoftGate))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(experts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (!(temperature > 0) || double.IsInfinity(temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The gate temperature must be a finite number > 0.");
        }

        Experts = experts;
        Temperature = temperature;
        normalize = new InputNormalization();
        features = nn.Sequential(
            nn.Conv2d(3, width, 3, stride: 1, padding: 1, bias: false), nn.BatchNorm2d(width), nn.ReLU(),
            nn.Conv2d(width, 2 * width, 3, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(2 * width), nn.ReLU(),
            nn.Conv2d(2 * width, 4 * width, 3, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(4 * width), nn.ReLU());
        scores = nn.Linear(4 * width, experts);
        RegisterComponents();
    }

    /// <summary>Number of experts scored.</summary>
    public int Experts { get; }

    /// <summary>Softmax temperature.</summary>
    public double Temperature { get; }

    /// <summary>Raw scores [B,E] before the softmax.</summary>
    /// <param name="input">Images [B,3,H,W] in [0,1].</param>
    public Tensor Scores(Tensor input)
    {
        using var scope = NewDisposeScope();
        var h = features.call(normalize.call(input));
        h = nn.functional.adaptive_avg_pool2d(h, 1).flatten(1);
        return scores.call(h).MoveToOuterDisposeScope();
    }

    /// <summary>Gate weights [B,E]: softmax(scores / temperature).</summary>
    /// <param name="input">Images [B,3,H,W] in [0,1].</param>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return nn.functional.softmax(Scores(input) / Temperature, 1).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            normalize.Dispose();
            features.Dispose();
            scores.Dispose();
        }

        base.Dispose(disposing);
    }
}
