using static TorchSharp.torch;

namespace Dwf.Robustness.Routing;

/// <summary>
/// A classifier that routes each input among several parts — a soft mixture (<see cref="Moe.MixtureOfExperts"/>),
/// a hard selection (<see cref="Defenses.Soe.SynergyOfExperts"/>) — seen by the evaluator and the trainers through
/// this interface rather than as a concrete type. It is still attacked as one model (its module's logits, through the
/// routing); what this interface adds is what an honest evaluation of routing needs: the route weights to report, and
/// the adaptive targets to attack around the routing when it may hide gradients.
/// </summary>
public interface IRoutedModel
{
    /// <summary>The routes' display names (one per column of <see cref="RoutedOutput.Weights"/>).</summary>
    IReadOnlyList<string> RouteNames { get; }

    /// <summary>Number of classes.</summary>
    int NumClasses { get; }

    /// <summary>A one-line description for reports, e.g. <c>MixtureOfExperts(Logits; gate SoftGate; 9 experts: ResNet18)</c>.</summary>
    string Description { get; }

    /// <summary>Networks run in one forward pass of the model (its inference cost in network passes), e.g. experts + gate.</summary>
    int ForwardPasses { get; }

    /// <summary>The model's logits and each sample's route weights from one pass.</summary>
    /// <param name="input">Images [B,C,H,W] in [0,1].</param>
    /// <returns>Tensors in the caller's dispose scope; the logits equal the module's forward.</returns>
    RoutedOutput Route(Tensor input);

    /// <summary>
    /// Models an adaptive attack should also be run against, in order (e.g. the mixture with the gate detached, each
    /// expert alone for a transfer attack, a soft surrogate of a hard selection). The evaluator attacks each with the
    /// plan's strongest gradient attack per ε and keeps the per-sample worst case.
    /// </summary>
    /// <returns>New targets; dispose those with <see cref="AdaptiveTarget.DisposeAfterUse"/> when done.</returns>
    IReadOnlyList<AdaptiveTarget> AdaptiveTargets();
}
