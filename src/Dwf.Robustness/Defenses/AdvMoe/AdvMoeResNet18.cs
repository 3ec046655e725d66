using System.Globalization;
using Dwf.Robustness.Defaults;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Routing;
using static TorchSharp.torch;

namespace Dwf.Robustness.Defenses.AdvMoe;

/// <summary>
/// ADVMoE (Zhang et al., ICCV 2023), a baseline the DWF paper compares against: a sparse layer-level MoE-CNN. A
/// ResNet-18 whose residual blocks' convolutions are <c>experts</c> channel groups each (an expert's width is
/// <c>ratio</c> × the dense layer's), and one router — a CIFAR ResNet-20 ending in one score per expert — that
/// picks one group per image (top-1) for every MoE layer. The choice is a straight-through one-hot: attacks and
/// training get a gradient to the router through it, as in the reference code.
/// </summary>
/// <remarks>
/// Ours, where the reference differs: the stem and the head follow the block width (<see cref="ResNet18"/> with a
/// <see cref="BlockFactory"/>, at width × ratio), where the reference keeps a 64-channel stem; the router's
/// shape-changing shortcuts are 1×1 projections (the reference pads). docs/paper-vs-ours.md lists both.
/// </remarks>
public sealed class AdvMoeResNet18 : nn.Module<Tensor, Tensor>, IRoutedModel
{
    private readonly CifarResNet router;
    private readonly ResNet18 backbone;
    private readonly MoeRoutingContext routing;
    private readonly string[] _names;

    /// <summary>Creates the model with fresh weights.</summary>
    /// <param name="numClasses">Classes K.</param>
    /// <param name="experts">Channel groups per MoE layer (≥ 2).</param>
    /// <param name="width">Width multiplier of the dense ResNet-18 the experts are cut from (1.0: 64…512 channels).</param>
    /// <param name="ratio">An expert's share of the dense width, in (0, 1].</param>
    /// <param name="routerWidth">Width multiplier of the ResNet-20 router.</param>
    /// <param name="mean">Per-channel input mean of the backbone and the router; CIFAR-10's when null.</param>
    /// <param name="std">Per-channel input standard deviation; CIFAR-10's when null.</param>
    public AdvMoeResNet18(int numClasses = 10, int experts = AdvMoeDefaults.Experts, double width = 1.0, double ratio = AdvMoeDefaults.Ratio, double routerWidth = 1.0,
        IReadOnlyList<double>? mean = null, IReadOnlyList<double>? std = null)
        : base(nameof(AdvMoeResNet18))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(experts, 2);
        if (!(ratio > 0) || ratio > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "The expert width ratio must be in (0, 1]; 0.5 gives each expert half the dense layer's channels.");
        }

        NumClasses = numClasses;
        Experts = experts;
        Width = width;
        Ratio = ratio;
        RouterWidth = routerWidth;
        _names = Enumerable.Range(1, experts).Select(i => $"group-{i}").ToArray();
        routing = new MoeRoutingContext();
        backbone = new ResNet18(numClasses, width * ratio, mean, std, block: (i, o, s) => new BasicBlock(i, o, s, (ci, co, k, cs, p) => new MoeConv2d(ci, co, experts, k, cs, p, routing)));
        router = new CifarResNet(experts, depth: 20, width: routerWidth, mean: mean, std: std);
        RegisterComponents();
    }

    /// <inheritdoc />
    public int NumClasses { get; }

    /// <summary>Channel groups per MoE layer.</summary>
    public int Experts { get; }

    /// <summary>Width multiplier of the dense network.</summary>
    public double Width { get; }

    /// <summary>An expert's share of the dense width.</summary>
    public double Ratio { get; }

    /// <summary>Width multiplier of the ResNet-20 router.</summary>
    public double RouterWidth { get; }

    /// <summary>Per-channel input mean (the backbone's and the router's).</summary>
    public IReadOnlyList<double> Mean => backbone.Mean;

    /// <summary>Per-channel input standard deviation.</summary>
    public IReadOnlyList<double> Std => backbone.Std;

    /// <summary>The router (a ResNet-20 with one output per expert).</summary>
    public nn.Module<Tensor, Tensor> Router => router;

    /// <summary>The MoE backbone (everything but the router).</summary>
    public nn.Module<Tensor, Tensor> Backbone => backbone;

    /// <inheritdoc />
    public IReadOnlyList<string> RouteNames => _names;

    /// <inheritdoc />
    public int ForwardPasses => 2;

    /// <inheritdoc />
    public string Description =>
        string.Create(CultureInfo.InvariantCulture, $"AdvMoeResNet18({Experts} experts per layer, ratio {Ratio}, width {Width}; ResNet-20 router, top-1 per image)");

    /// <summary>Value: the one-hot of each row's best score; gradient: passed to the scores unchanged (straight-through).</summary>
    /// <param name="scores">[B,E] router scores.</param>
    /// <returns>[B,E].</returns>
    public static Tensor StraightThrough(Tensor scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        using var scope = NewDisposeScope();
        var hard = nn.functional.one_hot(scores.detach().argmax(1), scores.shape[1]).to(scores.dtype);
        return (hard + (scores - scores.detach())).MoveToOuterDisposeScope(); // exactly one-hot in value: (s − s) is 0
    }

    /// <summary>The backbone's logits with every MoE layer routed by <paramref name="scores"/> (top-1, straight-through).</summary>
    /// <param name="input">Images [B,C,H,W] in [0,1].</param>
    /// <param name="scores">[B,E] router scores (the router's, or fixed ones).</param>
    public Tensor ForwardWithScores(Tensor input, Tensor scores)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.dim() != 2 || scores.shape[0] != input.shape[0] || scores.shape[1] != Experts)
        {
            throw new ArgumentException($"Route scores must be [{input.shape[0]},{Experts}]; got [{string.Join(",", scores.shape)}].", nameof(scores));
        }

        using var scope = NewDisposeScope();
        var gate = StraightThrough(scores);
        using (routing.Enter(gate))
        {
            return backbone.call(input).MoveToOuterDisposeScope();
        }
    }

    /// <summary>The logits [B,K], routed by the router.</summary>
    /// <param name="input">Images [B,C,H,W] in [0,1].</param>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return ForwardWithScores(input, router.call(input)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The logits and the route as straight-through one-hot weights: their input gradient is the router scores', which
    /// attacks through the model do receive, so the routing-gradient sanity check does not flag this model (a hard
    /// choice with a surrogate gradient); its adaptive targets still attack around the router.
    /// </summary>
    /// <param name="input">Images [B,C,H,W] in [0,1].</param>
    public RoutedOutput Route(Tensor input)
    {
        using var scope = NewDisposeScope();
        var scores = router.call(input);
        var logits = ForwardWithScores(input, scores);
        return new RoutedOutput(logits.MoveToOuterDisposeScope(), StraightThrough(scores).MoveToOuterDisposeScope());
    }

    /// <summary>The model with the router's scores detached (no gradient through the routing), then every route fixed for all images.</summary>
    /// <returns>New targets, the caller's to dispose (views that do not own the model).</returns>
    public IReadOnlyList<AdaptiveTarget> AdaptiveTargets() =>
        [new AdaptiveTarget("router detached", new AdvMoeFixedRoute(this, null), DisposeAfterUse: true),
         .. Enumerable.Range(0, Experts).Select(i => new AdaptiveTarget($"route fixed to {_names[i]}", new AdvMoeFixedRoute(this, i), DisposeAfterUse: true))];

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            backbone.Dispose();
            router.Dispose();
            routing.Dispose();
        }

        base.Dispose(disposing);
    }
}
