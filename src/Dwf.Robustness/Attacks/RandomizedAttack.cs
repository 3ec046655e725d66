using static TorchSharp.torch;

namespace Dwf.Robustness.Attacks;

/// <summary>
/// Picks one of several attacks uniformly at random for every call (every batch), from the caller's generator.
/// The paper's randomized training attacks are instances: FGSM with ε drawn per batch, PGD with its iteration
/// count drawn per batch (see <see cref="PaperAttacks"/>), and a random choice among attack families for mixed
/// batches.
/// </summary>
public sealed class RandomizedAttack : IAttack
{
    /// <summary>Creates the attack.</summary>
    /// <param name="choices">At least one attack.</param>
    /// <param name="name">Display name; a list of the choices when null.</param>
    public RandomizedAttack(IEnumerable<IAttack> choices, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(choices);
        Choices = choices.ToArray();
        if (Choices.Count == 0)
        {
            throw new ArgumentException("A randomized attack needs at least one attack to choose from.", nameof(choices));
        }

        if (Choices.Any(c => c is null))
        {
            throw new ArgumentException("The list of attacks contains null.", nameof(choices));
        }

        Name = name ?? $"Random[{string.Join(" | ", Choices.Select(c => c.Name))}]";
    }

    /// <summary>The attacks drawn from.</summary>
    public IReadOnlyList<IAttack> Choices { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Family <see cref="AttackFamily.Randomized"/>, with the largest ε and step count among the choices.</summary>
    public AttackDescriptor Descriptor
    {
        get
        {
            var d = Choices.Select(c => c.Descriptor).ToArray();
            return new AttackDescriptor(AttackFamily.Randomized, ThreatModel.Linf, d.Max(x => x.Epsilon), d.Max(x => x.Steps), 1,
                d[0].Loss, d.All(x => x.Targeted));
        }
    }

    /// <summary>Draws one attack.</summary>
    /// <param name="generator">Random source; torch's global generator when null.</param>
    /// <returns>One of <see cref="Choices"/>.</returns>
    public IAttack Choose(Generator? generator = null)
    {
        if (Choices.Count == 1)
        {
            return Choices[0];
        }

        using var draw = randint(0, Choices.Count, new long[] { 1 }, generator: generator);
        return Choices[(int)draw.item<long>()];
    }

    /// <inheritdoc />
    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator? generator = null) =>
        Choose(generator).Perturb(model, images, labels, generator);

    /// <inheritdoc />
    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, Generator? generator, CancellationToken cancellationToken,
        IProgress<AttackProgress>? progress) =>
        Choose(generator).Perturb(model, images, labels, generator, cancellationToken, progress);
}
