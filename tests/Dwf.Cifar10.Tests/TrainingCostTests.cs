using Dwf.Robustness.Experts;

namespace Dwf.Cifar10.Tests;

public class TrainingCostTests
{
    private static readonly RunConfig Small = Presets.Create("cpu-small", "/d", "/r");

    [Fact]
    public void Expert_PerKind_AttackStepsPlusOneTrainingStepPerImage()
    {
        // PGD iterations drawn from {2, 3, 4, 5}: 3.5 on average, + 1 training step = 4.5 passes per image and epoch.
        TrainingCost.Expert(Small, ExpertKind.Clean, 5000, 4).Should().Be(20_000);
        TrainingCost.Expert(Small, ExpertKind.Fgsm, 5000, 4).Should().Be(40_000);
        TrainingCost.Expert(Small, ExpertKind.Pgd, 5000, 4).Should().Be(90_000);
        TrainingCost.Expert(Small with { ExpertMixClean = true }, ExpertKind.Pgd, 5000, 4).Should().Be(110_000, "the batch doubles");
    }

    [Fact]
    public void Joint_NineExperts_EveryExpertOnEveryPass()
    {
        // Per image: 1 training step + ⅓ · 1 FGSM step + ⅓ · 3.5 PGD steps = 2.5, through 9 experts.
        TrainingCost.Joint(Small, 9, 5000, 2).Should().BeApproximately(5000 * 2 * 9 * 2.5, 1e-6);
    }

    [Fact]
    public void EqualComputeEpochs_PipelinePasses_RoundsToWholePgdEpochs()
    {
        double pipeline = 5000 * (4 * 1 + 4 * 4 * 2 + 4 * 4 * 4.5 + 2 * 9 * 2.5);

        TrainingCost.EqualComputeEpochs(Small, pipeline, 5000).Should().Be(34, "153 passes per image / 4.5 per PGD epoch = 34");
        TrainingCost.EqualComputeEpochs(Small, 1, 5000).Should().Be(1, "at least one epoch");
    }
}
