using Dwf.Robustness.Attacks;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Attacks;

public class RandomizedAttackTests
{
    private static List<string> Draws(RandomizedAttack attack, ulong seed, int count)
    {
        using var gen = new Generator(seed);
        return Enumerable.Range(0, count).Select(_ => attack.Choose(gen).Name).ToList();
    }

    [Fact]
    public void RandomEpsilonFgsm_Default_UsesPaperSet()
    {
        var attack = PaperAttacks.RandomEpsilonFgsm();
        attack.Choices.Cast<Fgsm>().Select(a => a.Epsilon).Should().Equal(0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09);
    }

    [Fact]
    public void RandomStepsPgd_Default_UsesPaperSet()
    {
        var attack = PaperAttacks.RandomStepsPgd();
        attack.Choices.Cast<Pgd>().Select(a => a.Steps).Should().Equal(10, 20, 30, 40, 50);
        attack.Choices.Cast<Pgd>().Should().OnlyContain(a => a.Epsilon == 8.0 / 255 && a.StepSize == 2.0 / 255);
    }

    [Fact]
    public void Choose_SameSeed_SameSequence_AndCoversAllChoices()
    {
        var attack = PaperAttacks.RandomEpsilonFgsm();
        var a = Draws(attack, 5, 200);
        var b = Draws(attack, 5, 200);
        var c = Draws(attack, 6, 200);

        a.Should().Equal(b);
        a.Should().NotEqual(c);
        a.Distinct().Should().HaveCount(9, "200 draws from 9 choices hit every one");
    }

    [Fact]
    public void RandomEpsilonFgsm_EmptySet_ThrowsNamingEpsilons()
    {
        var act = () => PaperAttacks.RandomEpsilonFgsm([]);
        act.Should().Throw<ArgumentException>().WithParameterName("epsilons");
    }

    [Fact]
    public void RandomStepsPgd_EmptySet_ThrowsNamingSteps()
    {
        var act = () => PaperAttacks.RandomStepsPgd([]);
        act.Should().Throw<ArgumentException>().WithParameterName("steps");
    }
}
