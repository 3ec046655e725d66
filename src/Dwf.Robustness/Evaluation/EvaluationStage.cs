using Dwf.Robustness.Attacks;

namespace Dwf.Robustness.Evaluation;

/// <summary>A named group of attacks run as a <see cref="StageKind.Sweep"/> or a <see cref="StageKind.Cascade"/>.</summary>
/// <param name="Name">Shown in reports and progress, e.g. <c>autoattack-rapid</c>.</param>
/// <param name="Kind">Sweep or cascade.</param>
/// <param name="Attacks">The attacks, in the order they run.</param>
public sealed record EvaluationStage(string Name, StageKind Kind, IReadOnlyList<IAttack> Attacks)
{
    /// <summary>Throws <see cref="ArgumentException"/> when the stage is empty or holds a null attack.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("A stage needs a name.", nameof(Name));
        }

        if (Attacks is null || Attacks.Count == 0 || Attacks.Any(a => a is null))
        {
            throw new ArgumentException($"Stage '{Name}' needs at least one attack and no null entries.", nameof(Attacks));
        }

        if (!Enum.IsDefined(Kind))
        {
            throw new ArgumentException($"Stage '{Name}' has an unknown kind {Kind}.", nameof(Kind));
        }
    }
}
