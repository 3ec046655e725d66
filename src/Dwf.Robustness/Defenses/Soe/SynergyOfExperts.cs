using Dwf.Robustness.Defaults;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Infrastructure;
using Dwf.Robustness.Routing;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Defenses.Soe;

/// <summary>
/// Synergy-of-Experts (Cui et al., NeurIPS 2022), a baseline the DWF paper compares against: M experts, each with an
/// auxiliary confidence head; for each input the answer is the logits of the expert with the highest
/// max-softmax × sigmoid(confidence) — a hard selection. Each member network returns K + 1 outputs: K class logits
/// and, last, the confidence head's logit (a linear head on the same features, as a second output of the last layer).
/// </summary>
/// <remarks>
/// The hard selection passes no gradient through the choice, so an attack through the model only ever moves the
/// expert already chosen. <see cref="AdaptiveTargets"/> gives the evaluator a soft-selection surrogate
/// (<see cref="SoeSoftSelection"/>) and every expert alone; with both, the per-sample worst case is what an attacker
/// who knows the selection rule achieves. Evaluated without them, the library's routing-gradient check fires.
/// </remarks>
public sealed class SynergyOfExperts : nn.Module<Tensor, Tensor>, IRoutedModel
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> members;
    private readonly string[] _names;

    /// <summary>Builds the model from member networks; it takes ownership of them.</summary>
    /// <param name="members">Two or more networks, each [0,1] images → [B, <paramref name="numClasses"/> + 1].</param>
    /// <param name="numClasses">Classes K (≥ 2).</param>
    /// <param name="surrogateTemperature">Temperature of the soft-selection surrogate (finite, &gt; 0).</param>
    public SynergyOfExperts(IEnumerable<nn.Module<Tensor, Tensor>> members, int numClasses = 10, double surrogateTemperature = SoeDefaults.SurrogateTemperature)
        : base(nameof(SynergyOfExperts))
    {
        ArgumentNullException.ThrowIfNull(members);
        var list = members.ToArray();
        if (list.Length < 2)
        {
            throw new ArgumentException($"Synergy-of-Experts needs at least 2 experts; got {list.Length}.", nameof(members));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 2);
        if (!(surrogateTemperature > 0) || double.IsInfinity(surrogateTemperature))
        {
            throw new ArgumentOutOfRangeException(nameof(surrogateTemperature), surrogateTemperature, "The surrogate temperature must be a finite number > 0.");
        }

        NumClasses = numClasses;
        SurrogateTemperature = surrogateTemperature;
        _names = Enumerable.Range(1, list.Length).Select(i => $"soe-{i}").ToArray();
        this.members = nn.ModuleList(list);
        RegisterComponents();
    }

    /// <summary>SoE with <paramref name="experts"/> CIFAR ResNets of <paramref name="depth"/> (their default: 3 × ResNet-20).</summary>
    /// <param name="experts">M ≥ 2.</param>
    /// <param name="numClasses">Classes K.</param>
    /// <param name="depth">6n + 2.</param>
    /// <param name="width">Width multiplier.</param>
    /// <param name="mean">Every member's per-channel input mean; CIFAR-10's when null.</param>
    /// <param name="std">Every member's per-channel input std; CIFAR-10's when null.</param>
    /// <returns>A new model with fresh weights.</returns>
    public static SynergyOfExperts ResNet20(int experts = SoeDefaults.Experts, int numClasses = 10, int depth = SoeDefaults.Depth, double width = 1.0,
        IReadOnlyList<double>? mean = null, IReadOnlyList<double>? std = null) =>
        new(Enumerable.Range(0, experts).Select(_ => (nn.Module<Tensor, Tensor>)new CifarResNet(numClasses + 1, depth, width, mean, std)).ToArray(), numClasses);

    /// <summary>SoE with <paramref name="experts"/> CIFAR ResNet-18s (the DWF experts' architecture).</summary>
    /// <param name="experts">M ≥ 2.</param>
    /// <param name="numClasses">Classes K.</param>
    /// <param name="width">Width multiplier.</param>
    /// <returns>A new model with fresh weights.</returns>
    public static SynergyOfExperts ResNet18(int experts = SoeDefaults.Experts, int numClasses = 10, double width = 1.0) =>
        new(Enumerable.Range(0, experts).Select(_ => (nn.Module<Tensor, Tensor>)new Experts.ResNet18(numClasses + 1, width)).ToArray(), numClasses);

    /// <summary>Number of experts M.</summary>
    public int Members => _names.Length;

    /// <inheritdoc />
    public int NumClasses { get; }

    /// <summary>Temperature of the soft-selection surrogate.</summary>
    public double SurrogateTemperature { get; }

    /// <summary>The member networks (K + 1 outputs each).</summary>
    public IReadOnlyList<nn.Module<Tensor, Tensor>> MemberModules => members.ToArray();

    /// <inheritdoc />
    public IReadOnlyList<string> RouteNames => _names;

    /// <inheritdoc />
    public int ForwardPasses => Members;

    /// <inheritdoc />
    public string Description => $"SynergyOfExperts({Members} experts: {string.Join(", ", members.Select(m => m.GetType().Name).Distinct())}; hard selection)";

    /// <summary>Every member's outputs and the selection.</summary>
    /// <param name="input">Images [B,C,H,W] in [0,1].</param>
    /// <returns>The four tensors, in the caller's dispose scope.</returns>
    public SoeOutput ForwardDetailed(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var outputs = new Tensor[Members];
        for (int i = 0; i < outputs.Length; i++)
        {
            outputs[i] = members[i].call(input);
            if (outputs[i].dim() != 2 || outputs[i].shape[0] != input.shape[0] || outputs[i].shape[1] != NumClasses + 1)
            {
                throw new InvalidOperationException(
                    $"SoE expert '{_names[i]}' (index {i}) returned shape {InputGuards.Shape(outputs[i].shape)}; it needs [{input.shape[0]},{NumClasses + 1}]: " +
                    $"{NumClasses} class logits and the confidence logit last.");
            }
        }

        var all = stack(outputs, 1); // [B,M,K+1]
        var logits = all.narrow(2, 0, NumClasses);
        var confidence = all.select(2, NumClasses);
        var scores = Scores(logits, confidence);
        var selected = scores.detach().argmax(1);
        return new SoeOutput(logits.MoveToOuterDisposeScope(), confidence.MoveToOuterDisposeScope(), scores.MoveToOuterDisposeScope(), selected.MoveToOuterDisposeScope());
    }

    /// <summary>The selection score max softmax(z) × sigmoid(c) per expert.</summary>
    /// <param name="expertLogits">[B,M,K].</param>
    /// <param name="confidenceLogits">[B,M].</param>
    /// <returns>[B,M] in [0,1].</returns>
    public static Tensor Scores(Tensor expertLogits, Tensor confidenceLogits)
    {
        ArgumentNullException.ThrowIfNull(expertLogits);
        ArgumentNullException.ThrowIfNull(confidenceLogits);
        using var scope = NewDisposeScope();
        return (nn.functional.softmax(expertLogits, 2).amax(new long[] { 2 }) * confidenceLogits.sigmoid()).MoveToOuterDisposeScope();
    }

    /// <summary>The selected expert's logits [B,K].</summary>
    /// <param name="input">Images [B,C,H,W] in [0,1].</param>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var output = ForwardDetailed(input);
        return output.SelectedLogits().MoveToOuterDisposeScope();
    }

    /// <summary>The logits and the selection as one-hot weights (they carry no gradient).</summary>
    /// <param name="input">Images [B,C,H,W] in [0,1].</param>
    public RoutedOutput Route(Tensor input)
    {
        using var scope = NewDisposeScope();
        var output = ForwardDetailed(input);
        var weights = nn.functional.one_hot(output.Selected, Members).to(output.ExpertLogits.dtype);
        return new RoutedOutput(output.SelectedLogits().MoveToOuterDisposeScope(), weights.MoveToOuterDisposeScope());
    }

    /// <summary>The soft-selection surrogate, then every expert alone (the per-sample worst case over all of them is the adaptive attack).</summary>
    /// <returns>New targets, all the caller's to dispose (each is a view that does not own the members).</returns>
    public IReadOnlyList<AdaptiveTarget> AdaptiveTargets() =>
        [new AdaptiveTarget($"soft selection (T={SurrogateTemperature.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)})", new SoeSoftSelection(this, SurrogateTemperature), DisposeAfterUse: true),
         .. Enumerable.Range(0, Members).Select(i => new AdaptiveTarget($"expert {_names[i]}", new SoeMemberLogits(this, i), DisposeAfterUse: true))];

    /// <summary>Member <paramref name="index"/>'s outputs [B,K+1].</summary>
    internal Tensor MemberOutput(int index, Tensor input) => members[index].call(input);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            members.Dispose();
        }

        base.Dispose(disposing);
    }
}
