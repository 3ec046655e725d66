using Dwf.Cifar10.Data;
using Dwf.Robustness.Attacks;
using Dwf.Robustness.Experts;
using TorchSharp;

namespace Dwf.Cifar10;

/// <summary>One expert to pre-train: its name, kind, training attack and seed.</summary>
public sealed record ExpertSpec(string Name, ExpertKind Kind, int Index, IAttack? Attack);

/// <summary>The paper's line-up: clean, FGSM (ε drawn per batch) and PGD (iterations drawn per batch) experts.</summary>
public static class ExpertPlan
{
    public static IReadOnlyList<ExpertSpec> For(RunConfig c)
    {
        var specs = new List<ExpertSpec>();
        for (int i = 1; i <= c.CleanExperts; i++)
        {
            specs.Add(new ExpertSpec($"clean-{i}", ExpertKind.Clean, specs.Count, null));
        }

        for (int i = 1; i <= c.FgsmExperts; i++)
        {
            specs.Add(new ExpertSpec($"fgsm-{i}", ExpertKind.Fgsm, specs.Count, FgsmAttack(c)));
        }

        for (int i = 1; i <= c.PgdExperts; i++)
        {
            specs.Add(new ExpertSpec($"pgd-{i}", ExpertKind.Pgd, specs.Count, PgdAttack(c)));
        }

        return specs;
    }

    /// <summary>The FGSM experts' attack: ε drawn per batch from the grid; with <see cref="RunConfig.FgsmRandomStart"/>, FGSM from a random start (step 1.25·ε).</summary>
    public static IAttack FgsmAttack(RunConfig c) => c.FgsmRandomStart
        ? new RandomizedAttack(c.FgsmEpsilons.Select(e => Pgd.FastFgsm(e)), $"FGSM-RS(ε∈{{{string.Join(", ", c.FgsmEpsilons.Select(e => e.ToString(System.Globalization.CultureInfo.InvariantCulture)))}}})")
        : PaperAttacks.RandomEpsilonFgsm(c.FgsmEpsilons);

    /// <summary>PGD with the iteration count drawn per batch; the step for k iterations is <see cref="RunConfig.PgdStepFor"/>.</summary>
    public static IAttack PgdAttack(RunConfig c) => new RandomizedAttack(
        c.PgdTrainSteps.Select(k => new Pgd(c.PgdEpsilon, c.PgdStepFor(k), k, keepBest: false)),
        $"PGD(steps∈{{{string.Join(", ", c.PgdTrainSteps)}}}, ε={c.PgdEpsilon:0.####})");

    /// <summary>A ResNet-18 expert for <paramref name="spec"/> and the data's classes and normalization, initialized from its seed, at the experts' width or <paramref name="width"/>.</summary>
    public static Expert Create(RunConfig c, ExpertSpec spec, ModelInput input, TorchSharp.torch.Device device, double? width = null)
    {
        TorchSharp.torch.manual_seed(RunSeeds.For(c.Seed, SeedPurpose.ExpertInit, spec.Index));
        var module = new ResNet18(input.Classes, width ?? c.ExpertWidth, input.Normalization.Mean, input.Normalization.Std);
        var expert = new Expert(module, spec.Name, input.Classes, spec.Kind);
        expert.Module.to(device);
        return expert;
    }
}
