using Dwf.Robustness.Experts;
using Dwf.Robustness.Moe;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.TestSupport;

/// <summary>Mixtures of TinyCnn experts on 3×8×8 images, for fast mixture tests.</summary>
internal static class TinyMixture
{
    public static IExpert[] Experts(int count, int classes = 4, long seed = 0) =>
        Enumerable.Range(0, count)
            .Select(i => (IExpert)new Expert(new TinyCnn(classes, seed + i), $"e{i}", classes, i == 0 ? ExpertKind.Clean : ExpertKind.Pgd))
            .ToArray();

    public static MixtureOfExperts Create(int experts = 3, MixtureMode mode = MixtureMode.Logits, long seed = 0, int classes = 4)
    {
        var list = Experts(experts, classes, seed);
        manual_seed(seed + 100);
        return new MixtureOfExperts(list, new SoftGate(experts, width: 4), mode);
    }
}
