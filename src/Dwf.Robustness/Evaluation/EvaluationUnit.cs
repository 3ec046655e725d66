using Dwf.Robustness.Attacks;
using Dwf.Robustness.Routing;
using static TorchSharp.torch;

namespace Dwf.Robustness.Evaluation;

/// <summary>
/// One attack run of an evaluation, in order: the plan's attacks, then for a mixture the adaptive checks — per ε the
/// strongest untargeted gradient attack of the plan against each of the model's <see cref="IRoutedModel.AdaptiveTargets"/>
/// (for a mixture: the gate-detached surrogate, then a transfer from each expert), each only on the images still robust at that ε.
/// </summary>
/// <param name="Stage">Stage name (<c>adaptive</c> for the checks).</param>
/// <param name="Kind">How eligible images are chosen.</param>
/// <param name="Attack">The attack.</param>
/// <param name="Target">What the attack is run against; null for the model under evaluation.</param>
/// <param name="Surrogate">Name of <paramref name="Target"/>, or null.</param>
internal sealed record EvaluationUnit(string Stage, StageKind Kind, IAttack Attack, nn.Module<Tensor, Tensor>? Target, string? Surrogate)
{
    public const string AdaptiveStage = "adaptive";

    public bool IsAdaptive => Surrogate is not null;

    /// <summary>The attack's name, with the surrogate for an adaptive check (as reports and progress show it).</summary>
    public string Name => Surrogate is null ? Attack.Name : $"{Attack.Name} via {Surrogate}";

    public static List<EvaluationUnit> Build(EvaluationPlan plan, IReadOnlyList<AdaptiveTarget> targets)
    {
        var units = plan.Stages.SelectMany(s => s.Attacks.Select(a => new EvaluationUnit(s.Name, s.Kind, a, null, null))).ToList();
        if (targets.Count == 0)
        {
            return units;
        }

        foreach (var group in units.ToList().GroupBy(u => Math.Round(u.Attack.Descriptor.Epsilon, 9)))
        {
            var strongest = group
                .Where(u => u.Attack.Descriptor.Family is AttackFamily.Pgd or AttackFamily.Apgd && u.Attack.Descriptor is { Targeted: false })
                .OrderBy(u => u.Attack.Descriptor.Family == AttackFamily.Apgd ? 1 : 0)
                .ThenBy(u => u.Attack.Descriptor.Steps * u.Attack.Descriptor.Restarts)
                .LastOrDefault();
            if (strongest is null)
            {
                continue;
            }

            foreach (var target in targets)
            {
                units.Add(new EvaluationUnit(AdaptiveStage, StageKind.Cascade, strongest.Attack, target.Module, target.Name));
            }
        }

        return units;
    }
}
