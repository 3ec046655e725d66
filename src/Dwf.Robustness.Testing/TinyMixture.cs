using Dwf.Robustness.Experts;
using Dwf.Robustness.Moe;
using static TorchSharp.torch;

namespace Dwf.Robustness.Testing;

/// <summary>Mixtures of <see cref="TinyCnn"/> experts behind a narrow <see cref="SoftGate"/>, for fast mixture tests on 3×8×8 images.</summary>
public static class TinyMixture
{
    /// <summary><paramref name="count"/> tiny experts named e0, e1, … (the first clean, the others PGD).</summary>
    /// <param name="count">Experts.</param>
    /// <param name="classes">Classes.</param>
    /// <param name="seed">Seed of the first expert's weights (the others use seed + index).</param>
    public static IExpert[] Experts(int count, int classes = 4, long seed = 0) =>
        Enumerable.Range(0, count)
            .Select(i => (IExpert)new Expert(new TinyCnn(classes, seed + i), $"e{i}", classes, i == 0 ? ExpertKind.Clean : ExpertKind.Pgd))
            .ToArray();

    /// <summary>A mixture of <paramref name="experts"/> tiny experts; the caller disposes it.</summary>
    /// <param name="experts">Experts.</param>
    /// <param name="mode">Mixing mode.</param>
    /// <param name="seed">Seed of the experts and the gate.</param>
    /// <param name="classes">Classes.</param>
    public static MixtureOfExperts Create(int experts = 3, MixtureMode mode = MixtureMode.Logits, long seed = 0, int classes = 4)
    {
        var list = Experts(experts, classes, seed);
        manual_seed(seed + 100);
        return new MixtureOfExperts(list, new SoftGate(experts, width: 4), mode);
    }
}
