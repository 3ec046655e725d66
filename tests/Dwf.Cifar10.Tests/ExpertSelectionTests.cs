using Dwf.Robustness.Experts;

namespace Dwf.Cifar10.Tests;

public class ExpertSelectionTests
{
    [Fact]
    public void Choose_TieOnRobust_BreaksByCleanThenLineUpOrder()
    {
        var selection = ExpertSelection.Choose("PGD-10", 500,
        [
            new("clean-1", ExpertKind.Clean, 0.60, 0.01),
            new("fgsm-1", ExpertKind.Fgsm, 0.40, 0.30),
            new("pgd-1", ExpertKind.Pgd, 0.38, 0.30),
            new("pgd-2", ExpertKind.Pgd, 0.38, 0.30),
            new("pgd-3", ExpertKind.Pgd, 0.35, 0.29),
        ]);

        selection.BestExpert.Should().Be("fgsm-1", "equal robust accuracy, higher clean accuracy");
        selection.BestPgdExpert.Should().Be("pgd-1", "equal on both, the first in the line-up");
    }

    [Fact]
    public void ToJson_RoundTrip_KeepsChoiceAndKinds()
    {
        var selection = ExpertSelection.Choose("PGD-10", 500, [new("pgd-1", ExpertKind.Pgd, 0.4, 0.25)]);

        var back = ExpertSelection.FromJson(selection.ToJson());

        back.BestExpert.Should().Be("pgd-1");
        back.Scores.Single().Kind.Should().Be(ExpertKind.Pgd);
        selection.ToJson().Should().Contain("\"Pgd\"");
    }

    [Fact]
    public void Choose_NoScores_Throws()
    {
        var act = () => ExpertSelection.Choose("PGD-10", 0, []);

        act.Should().Throw<ArgumentException>().WithMessage("*pre-train*");
    }
}
