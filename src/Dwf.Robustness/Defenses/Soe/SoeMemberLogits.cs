using static TorchSharp.torch;

namespace Dwf.Robustness.Defenses.Soe;

/// <summary>One SoE expert's class logits (its confidence output dropped): a transfer-attack target that does not own the expert.</summary>
internal sealed class SoeMemberLogits : nn.Module<Tensor, Tensor>
{
    private readonly SynergyOfExperts model;

    /// <summary>Creates the view.</summary>
    /// <param name="model">The SoE model (not owned).</param>
    /// <param name="index">The expert, 0 ≤ index &lt; M.</param>
    public SoeMemberLogits(SynergyOfExperts model, int index) : base(nameof(SoeMemberLogits))
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, model.Members);
        this.model = model;
        Index = index;
        eval();
    }

    /// <summary>The expert's index.</summary>
    public int Index { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return model.MemberOutput(Index, input).narrow(1, 0, model.NumClasses).MoveToOuterDisposeScope();
    }
}
