using static TorchSharp.torch;

namespace Dwf.Robustness.Defenses.AdvMoe;

/// <summary>
/// An adaptive-attack view of an <see cref="AdvMoeResNet18"/>: every image sent through one fixed group
/// (<c>route</c> given), or routed by the router with its scores detached (<c>route</c> null), so no gradient reaches
/// the routing. Does not own the model.
/// </summary>
internal sealed class AdvMoeFixedRoute : nn.Module<Tensor, Tensor>
{
    private readonly AdvMoeResNet18 model;

    /// <summary>Creates the view.</summary>
    /// <param name="model">The model (not owned; put it in eval mode before attacking).</param>
    /// <param name="route">The group every image takes, 0 ≤ route &lt; experts; null for the router's choice, detached.</param>
    public AdvMoeFixedRoute(AdvMoeResNet18 model, int? route) : base(nameof(AdvMoeFixedRoute))
    {
        ArgumentNullException.ThrowIfNull(model);
        if (route is { } r && (r < 0 || r >= model.Experts))
        {
            throw new ArgumentOutOfRangeException(nameof(route), route, $"The route must be in [0, {model.Experts}).");
        }

        this.model = model;
        Route = route;
        eval();
    }

    /// <summary>The fixed group, or null for the router's detached choice.</summary>
    public int? Route { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var scores = Route is { } r
            ? nn.functional.one_hot(full(new long[] { input.shape[0] }, (long)r, dtype: ScalarType.Int64, device: input.device), model.Experts).to(input.dtype)
            : model.Router.call(input).detach();
        return model.ForwardWithScores(input, scores).MoveToOuterDisposeScope();
    }
}
