using Dwf.Robustness.Experts;
using Dwf.Robustness.Infrastructure;
using Dwf.Robustness.Routing;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Moe;

/// <summary>
/// The soft-gated mixture of experts of "Divided We Fall": every expert runs on the input, a gate weights them per
/// sample, and the weighted combination is the output. To attacks and evaluation it is one classifier
/// (<c>Module&lt;Tensor, Tensor&gt;</c>, [0,1] images in, logits out), so white-box gradients always pass through the
/// gate and through every expert.
/// </summary>
public sealed class MixtureOfExperts : nn.Module<Tensor, Tensor>, IRoutedModel
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> experts;
    private readonly nn.Module<Tensor, Tensor> gate;
    private readonly IExpert[] _experts;

    /// <summary>Builds a mixture; it takes ownership of the experts' modules and the gate.</summary>
    /// <param name="experts">One or more experts with the same number of classes and unique names.</param>
    /// <param name="gate">Returns weights [B,E] (non-negative, rows sum to 1); a new <see cref="SoftGate"/> when null.</param>
    /// <param name="mode">How outputs are combined; <see cref="MixtureMode.Logits"/> by default.</param>
    public MixtureOfExperts(IEnumerable<IExpert> experts, nn.Module<Tensor, Tensor>? gate = null, MixtureMode mode = MixtureMode.Logits)
        : base(nameof(MixtureOfExperts))
    {
        ArgumentNullException.ThrowIfNull(experts);
        _experts = experts.ToArray();
        if (_experts.Length == 0)
        {
            throw new ArgumentException("A mixture needs at least one expert.", nameof(experts));
        }

        int classes = _experts[0].NumClasses;
        var wrongClasses = _experts.Where(e => e.NumClasses != classes).Select(e => $"{e.Name} ({e.NumClasses})").ToList();
        if (wrongClasses.Count > 0)
        {
            throw new ArgumentException(
                $"All experts must have the same number of classes as '{_experts[0].Name}' ({classes}); these differ: {string.Join(", ", wrongClasses)}.", nameof(experts));
        }

        var duplicates = _experts.GroupBy(e => e.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            throw new ArgumentException($"Expert names must be unique; repeated: {string.Join(", ", duplicates)}.", nameof(experts));
        }

        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Use MixtureMode.Logits or MixtureMode.Probabilities.");
        }

        NumClasses = classes;
        Mode = mode;
        this.experts = nn.ModuleList(_experts.Select(e => e.Module).ToArray());
        this.gate = gate ?? new SoftGate(_experts.Length);
        RegisterComponents();
    }

    /// <summary>The experts, in gate-weight order.</summary>
    public IReadOnlyList<IExpert> Experts => _experts;

    /// <summary>The gate.</summary>
    public nn.Module<Tensor, Tensor> Gate => gate;

    /// <summary>Number of classes.</summary>
    public int NumClasses { get; }

    /// <summary>How expert outputs are combined.</summary>
    public MixtureMode Mode { get; }

    /// <summary>True after <see cref="FreezeExperts"/>: expert parameters get no gradient and experts stay in eval mode.</summary>
    public bool ExpertsFrozen { get; private set; }

    /// <summary>
    /// Freezes every expert (the frozen-expert ablation): their parameters stop requiring gradients and they stay in
    /// eval mode even when the mixture is put in training mode, so BatchNorm statistics do not drift either.
    /// </summary>
    public void FreezeExperts()
    {
        foreach (var p in experts.parameters())
        {
            p.requires_grad_(false);
        }

        ExpertsFrozen = true;
        experts.eval();
    }

    /// <summary>Undoes <see cref="FreezeExperts"/>; experts follow the mixture's mode again.</summary>
    public void UnfreezeExperts()
    {
        foreach (var p in experts.parameters())
        {
            p.requires_grad_(true);
        }

        ExpertsFrozen = false;
        experts.train(training);
    }

    /// <inheritdoc />
    public override void train(bool train = true)
    {
        base.train(train);
        if (ExpertsFrozen)
        {
            experts.eval();
        }
    }

    /// <summary>The mixture's logits [B,K].</summary>
    /// <param name="input">Images [B,C,H,W] in [0,1].</param>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var output = ForwardDetailed(input); // weights and per-expert logits are freed with the scope
        return output.Logits.MoveToOuterDisposeScope();
    }

    /// <summary>Logits, gate weights and every expert's logits from one pass.</summary>
    /// <param name="input">Images [B,C,H,W] in [0,1].</param>
    /// <returns>The three tensors, in the caller's dispose scope.</returns>
    public MixtureOutput ForwardDetailed(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var weights = gate.call(input);
        if (weights.dim() != 2 || weights.shape[0] != input.shape[0] || weights.shape[1] != _experts.Length)
        {
            throw new InvalidOperationException(
                $"The gate returned shape {InputGuards.Shape(weights.shape)}; a mixture of {_experts.Length} experts needs [{input.shape[0]},{_experts.Length}].");
        }

        var perExpert = new Tensor[_experts.Length];
        for (int i = 0; i < perExpert.Length; i++)
        {
            perExpert[i] = experts[i].call(input);
            if (perExpert[i].dim() != 2 || perExpert[i].shape[0] != input.shape[0] || perExpert[i].shape[1] != NumClasses)
            {
                throw new InvalidOperationException(
                    $"Expert '{_experts[i].Name}' (index {i}) returned shape {InputGuards.Shape(perExpert[i].shape)}; this mixture needs [{input.shape[0]},{NumClasses}] logits. " +
                    $"Check that its module ends in {NumClasses} outputs, as its NumClasses says.");
            }
        }

        var stacked = stack(perExpert, 1); // [B,E,K]
        var logits = Mix(weights, stacked);
        return new MixtureOutput(logits.MoveToOuterDisposeScope(), weights.MoveToOuterDisposeScope(), stacked.MoveToOuterDisposeScope());
    }

    /// <inheritdoc />
    public IReadOnlyList<string> RouteNames => _experts.Select(e => e.Name).ToArray();

    /// <inheritdoc />
    public string Description =>
        $"MixtureOfExperts({Mode}; gate {gate.GetType().Name}; {_experts.Length} experts: {string.Join(", ", _experts.Select(e => e.Module.GetType().Name).Distinct())})";

    /// <inheritdoc />
    public int ForwardPasses => _experts.Length + 1;

    /// <summary>The logits and the gate weights (<see cref="ForwardDetailed"/> without the per-expert logits).</summary>
    /// <param name="input">Images [B,C,H,W] in [0,1].</param>
    /// <returns>The two tensors, in the caller's dispose scope.</returns>
    public RoutedOutput Route(Tensor input)
    {
        var output = ForwardDetailed(input);
        output.ExpertLogits.Dispose();
        return new RoutedOutput(output.Logits, output.GateWeights);
    }

    /// <summary>The mixture with its gate detached (<see cref="GateDetachedSurrogate"/>), then every expert alone (transfer attacks).</summary>
    /// <returns>New targets; the surrogate is the caller's to dispose, the experts are not.</returns>
    public IReadOnlyList<AdaptiveTarget> AdaptiveTargets() =>
        [new AdaptiveTarget("gate detached", new GateDetachedSurrogate(this), DisposeAfterUse: true),
         .. _experts.Select(e => new AdaptiveTarget($"transfer from {e.Name}", e.Module, DisposeAfterUse: false))];

    /// <summary>Combines gate weights and expert logits as <see cref="Mode"/> says (what <see cref="forward"/> does after running gate and experts).</summary>
    /// <param name="weights">[B,E] gate weights.</param>
    /// <param name="expertLogits">[B,E,K] every expert's logits.</param>
    /// <returns>[B,K] logits (for <see cref="MixtureMode.Probabilities"/>, log-probabilities).</returns>
    public Tensor Mix(Tensor weights, Tensor expertLogits)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(expertLogits);
        return Mode == MixtureMode.Logits
            ? (weights.unsqueeze(2) * expertLogits).sum(1)
            : (weights.clamp_min(1e-30).log().unsqueeze(2) + nn.functional.log_softmax(expertLogits, 2)).logsumexp(1);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            experts.Dispose();
            gate.Dispose();
        }

        base.Dispose(disposing);
    }
}
