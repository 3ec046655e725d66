using static TorchSharp.torch;

namespace Dwf.Robustness.Moe;

/// <summary>
/// The base of gates that score every expert from the input: <see cref="Scores"/> gives one raw score per expert,
/// and the gate's weights are softmax(scores / <see cref="Temperature"/>). <see cref="SoftGate"/> is one; a
/// <see cref="TopKGate"/> keeps the k best of any scorer. A new gate is a new subclass (see docs/extending.md).
/// </summary>
public abstract class GateScorer : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the base.</summary>
    /// <param name="name">The module's name.</param>
    /// <param name="experts">Number of experts scored (≥ 1).</param>
    /// <param name="temperature">Softmax temperature (finite, &gt; 0).</param>
    protected GateScorer(string name, int experts, double temperature) : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(experts, 1);
        if (!(temperature > 0) || double.IsInfinity(temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The gate temperature must be a finite number > 0.");
        }

        Experts = experts;
        Temperature = temperature;
    }

    /// <summary>Number of experts scored.</summary>
    public int Experts { get; }

    /// <summary>Softmax temperature; larger flattens the weights.</summary>
    public double Temperature { get; }

    /// <summary>Raw scores [B,E] before the softmax.</summary>
    /// <param name="input">Images [B,C,H,W] in [0,1].</param>
    /// <returns>A fresh tensor in the caller's dispose scope.</returns>
    public abstract Tensor Scores(Tensor input);

    /// <summary>Gate weights [B,E]: softmax(scores / temperature).</summary>
    /// <param name="input">Images [B,C,H,W] in [0,1].</param>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return nn.functional.softmax(Scores(input) / Temperature, 1).MoveToOuterDisposeScope();
    }
}
