namespace Dwf.Robustness.Evaluation;

/// <summary>What an evaluation runs: stages in order, each a sweep or a cascade. Ready-made plans: <see cref="EvaluationPlans"/>.</summary>
/// <param name="Name">Recorded in reports, e.g. <c>aa-rapid</c>.</param>
/// <param name="Stages">At least one stage.</param>
public sealed record EvaluationPlan(string Name, IReadOnlyList<EvaluationStage> Stages)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first problem.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("A plan needs a name.", nameof(Name));
        }

        if (Stages is null || Stages.Count == 0 || Stages.Any(s => s is null))
        {
            throw new ArgumentException($"Plan '{Name}' needs at least one stage and no null entries.", nameof(Stages));
        }

        foreach (var stage in Stages)
        {
            stage.Validate();
        }

        var duplicate = Stages.GroupBy(s => s.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Plan '{Name}' has two stages named '{duplicate.Key}'; stage names must be unique.", nameof(Stages));
        }

        var norms = Attacks().Select(a => a.Attack.Descriptor.Norm).Distinct().ToList();
        if (norms.Count > 1)
        {
            throw new ArgumentException(
                $"Plan '{Name}' mixes threat models ({string.Join(", ", norms)}): a report's worst case must never combine budgets of different norms. " +
                "Evaluate each threat model with a plan of its own.", nameof(Stages));
        }
    }

    /// <summary>The norm of the plan's attacks (a valid plan has one); L∞ for a plan without attacks.</summary>
    public Attacks.ThreatModel ThreatModel => Attacks().Select(a => a.Attack.Descriptor.Norm).FirstOrDefault();

    /// <summary>Every attack of every stage with its stage, in run order.</summary>
    public IEnumerable<(EvaluationStage Stage, Attacks.IAttack Attack)> Attacks() =>
        Stages.SelectMany(s => s.Attacks.Select(a => (s, a)));
}
