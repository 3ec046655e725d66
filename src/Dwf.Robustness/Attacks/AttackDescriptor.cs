using System.Globalization;
using System.Text;

namespace Dwf.Robustness.Attacks;

/// <summary>
/// What an attack is, as data: the record reports store, lookups match and names are made from. Two attacks with
/// equal descriptors are the same attack up to settings a descriptor does not carry (step size, momentum), which
/// checkpoint fingerprints add.
/// </summary>
/// <param name="Family">The algorithm.</param>
/// <param name="Norm">The threat model.</param>
/// <param name="Epsilon">Budget in [0,1] pixel units (for a randomized attack the largest of its choices).</param>
/// <param name="Steps">Iterations per restart (1 for FGSM, 0 for attacks without iterations).</param>
/// <param name="Restarts">Independent runs, the per-sample worst case kept.</param>
/// <param name="Loss">The objective.</param>
/// <param name="Targeted">Whether the attack aims at particular wrong classes.</param>
/// <param name="TargetClasses">For attacks that choose their targets from the clean logits (APGD-T), how many of
/// the top classes they try; 0 otherwise (untargeted, or the labels passed are the targets).</param>
/// <param name="Queries">For score-based attacks, the query budget per image; 0 for gradient attacks.</param>
public sealed record AttackDescriptor(
    AttackFamily Family,
    ThreatModel Norm,
    double Epsilon,
    int Steps,
    int Restarts,
    AttackLoss Loss,
    bool Targeted,
    int TargetClasses = 0,
    int Queries = 0)
{
    /// <summary>A short culture-invariant name, e.g. <c>APGD-T-100(ε=0.0314, 9 targets)</c>.</summary>
    public string DisplayName
    {
        get
        {
            var sb = new StringBuilder(Family switch
            {
                AttackFamily.Fgsm => "FGSM",
                AttackFamily.Pgd => $"PGD-{Steps}",
                AttackFamily.Apgd => $"APGD-{LossTag}-{Steps}",
                AttackFamily.Square => $"Square-{Queries}",
                AttackFamily.Randomized => "Random",
                AttackFamily.Trades => $"TRADES-KL-{Steps}",
                AttackFamily.Fab => TargetClasses > 0 ? $"FAB-T-{Steps}" : $"FAB-{Steps}",
                _ => "Custom",
            });
            sb.Append(CultureInfo.InvariantCulture, $"(ε={Epsilon.ToString("0.####", CultureInfo.InvariantCulture)}");
            if (TargetClasses > 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $", {TargetClasses} targets");
            }

            if (Restarts > 1)
            {
                sb.Append(CultureInfo.InvariantCulture, $", restarts={Restarts}");
            }

            if (Norm != ThreatModel.Linf)
            {
                sb.Append(CultureInfo.InvariantCulture, $", {Norm}");
            }

            return sb.Append(')').ToString();
        }
    }

    /// <summary>Whether this is the same attack as <paramref name="other"/> with ε compared to ±1e-9.</summary>
    /// <param name="other">Another descriptor.</param>
    public bool Matches(AttackDescriptor other) =>
        other is not null && Family == other.Family && Norm == other.Norm && Attacks.Epsilon.SameBudget(Epsilon, other.Epsilon) &&
        Steps == other.Steps && Restarts == other.Restarts && Loss == other.Loss && Targeted == other.Targeted &&
        TargetClasses == other.TargetClasses && Queries == other.Queries;

    private string LossTag => Loss switch
    {
        AttackLoss.CrossEntropy => "CE",
        AttackLoss.CarliniWagnerMargin => "CW",
        AttackLoss.DifferenceOfLogitsRatio => "DLR",
        AttackLoss.TargetedDifferenceOfLogitsRatio => "T",
        AttackLoss.KullbackLeibler => "KL",
        _ => Loss.ToString(),
    };
}
