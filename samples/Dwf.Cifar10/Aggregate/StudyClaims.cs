using Dwf.Robustness.Evaluation;

namespace Dwf.Cifar10.Aggregate;

/// <summary>One pre-registered claim decided over a study's replicates and images.</summary>
/// <param name="Study">The study (budget).</param>
/// <param name="Rival">The rival's role.</param>
/// <param name="Effect">DWF − rival over replicates and images (training and image variation counted).</param>
/// <param name="HolmP">Holm-adjusted over every claim of every study aggregated together.</param>
/// <param name="PerReplicate">Per replicate, the paired McNemar comparison (DWF − rival; images only), as detail.</param>
/// <param name="OverfitRival">Whether the rival broke the pre-registered overfitting rule in some replicate (a DWF win then does not count).</param>
public sealed record StudyClaim(Study Study, StudyRole Rival, ReplicatedEstimate Effect, double HolmP, IReadOnlyList<PairedComparison> PerReplicate, bool OverfitRival)
{
    /// <summary>The pre-registered reading: DWF better, rival better, or no difference shown (α = 0.05 after Holm).</summary>
    public string Verdict => HolmP >= 0.05 ? "no difference shown"
        : Effect.Estimate > 0 ? (OverfitRival ? "DWF better, but against an overfit rival: not counted" : "**DWF better**")
        : "**rival better**";
}

/// <summary>Decides the pre-registered claims (docs/results/scaling/PREREGISTRATION.md) over one or more studies.</summary>
public static class StudyClaims
{
    /// <summary>The points by which a control's last validation robust accuracy may fall below its best before it counts as overfit.</summary>
    public const double OverfitDrop = 0.02;

    /// <summary>Every claim of every study, Holm-adjusted together; a claim whose rival is missing from some replicate is left out.</summary>
    public static IReadOnlyList<StudyClaim> Decide(IReadOnlyList<Study> studies)
    {
        var raw = new List<(Study Study, StudyRole Rival, ReplicatedEstimate Effect, IReadOnlyList<PairedComparison> Detail, bool Overfit)>();
        foreach (var study in studies)
        {
            if (study.Replicates.Count < 2)
            {
                continue;
            }

            foreach (var rival in StudyRoles.Claims)
            {
                if (!study.Replicates.All(r => r.Roles.ContainsKey(rival)))
                {
                    continue;
                }

                var detail = study.Replicates.Select(r => ReportComparison.Paired(Pipeline.DwfModel, r.Roles[rival].Model, "robust", r.Roles[StudyRole.Dwf].Robust, r.Roles[rival].Robust)).ToList();
                bool overfit = study.Replicates.Any(r => r.Curves.TryGetValue(rival, out var c) && ValidationCurve.DropFromBest(c) > OverfitDrop);
                raw.Add((study, rival, ReplicatedComparison.Difference(study.Outcomes(r => r.Roles[StudyRole.Dwf]), study.Outcomes(r => r.Roles[rival])), detail, overfit));
            }
        }

        var holm = MultipleComparisons.Holm(raw.Select(c => c.Effect.PValue).ToList());
        return raw.Select((c, i) => new StudyClaim(c.Study, c.Rival, c.Effect, holm[i], c.Detail, c.Overfit)).ToList();
    }
}
