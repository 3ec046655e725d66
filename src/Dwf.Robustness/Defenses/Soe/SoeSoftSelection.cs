using static TorchSharp.torch;

namespace Dwf.Robustness.Defenses.Soe;

/// <summary>
/// The adaptive-attack surrogate of SoE's hard selection: Σₘ softmax(scores / T)ₘ · zₘ, the experts' logits weighted
/// by a tempered softmax of the selection scores, so the attack's gradient also moves the choice. As T → 0 it tends to
/// the hard selection. Wraps the model without owning it.
/// </summary>
internal sealed class SoeSoftSelection : nn.Module<Tensor, Tensor>
{
    private readonly SynergyOfExperts model;

    /// <summary>Creates the surrogate.</summary>
    /// <param name="model">The SoE model (not owned; put it in eval mode before attacking).</param>
    /// <param name="temperature">T, finite and &gt; 0.</param>
    public SoeSoftSelection(SynergyOfExperts model, double temperature) : base(nameof(SoeSoftSelection))
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!(temperature > 0) || double.IsInfinity(temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be a finite number > 0.");
        }

        this.model = model;
        Temperature = temperature;
        eval();
    }

    /// <summary>The softmax temperature.</summary>
    public double Temperature { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var output = model.ForwardDetailed(input);
        var weights = nn.functional.softmax(output.SelectionScores / Temperature, 1);
        return (weights.unsqueeze(2) * output.ExpertLogits).sum(1).MoveToOuterDisposeScope();
    }
}
