using Dwf.Robustness.Attacks;
using Dwf.Robustness.Tests.TestSupport;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Attacks;

/// <summary>FAB and FAB-T on a small model trained inside the test run.</summary>
public class FabTests(TrainedModelFixture f) : IClassFixture<TrainedModelFixture>
{
    private double AccuracyUnder(IAttack attack)
    {
        using var scope = NewDisposeScope();
        using var gen = new Generator(1);
        return QuickTrain.Accuracy(f.Model, attack.Perturb(f.Model, f.TestImages, f.TestLabels, gen), f.TestLabels);
    }

    [Theory]
    [InlineData(ThreatModel.Linf, 0.05)]
    [InlineData(ThreatModel.L2, 0.5)]
    public void Perturb_UndefendedModel_AsStrongAsApgdWithinNoise(ThreatModel norm, double epsilon)
    {
        double clean = QuickTrain.Accuracy(f.Model, f.TestImages, f.TestLabels);
        double apgd = AccuracyUnder(new Apgd(epsilon, steps: 20, threatModel: norm));
        double fab = AccuracyUnder(new Fab(epsilon, steps: 20, threatModel: norm));
        double fabT = AccuracyUnder(Fab.TowardsTargets(epsilon, targetClasses: 3, steps: 20, threatModel: norm));

        fab.Should().BeLessThan(clean - 0.2, "FAB at this budget must break many images of an undefended model");
        fabT.Should().BeLessThan(clean - 0.2);
        fab.Should().BeLessThanOrEqualTo(apgd + 0.1, "a minimal-perturbation attack counted within ε is about as strong as APGD");
        fabT.Should().BeLessThanOrEqualTo(apgd + 0.1);
    }

    [Fact]
    public void Perturb_BudgetTooSmall_ReturnsCleanImagesForUnbrokenOnes()
    {
        using var scope = NewDisposeScope();

        var adversarial = Fab.TowardsTargets(1e-4, targetClasses: 3, steps: 10).Perturb(f.Model, f.TestImages, f.TestLabels, new Generator(1));

        (adversarial - f.TestImages).abs().max().item<float>().Should().BeLessThanOrEqualTo(1e-4f + 1e-6f);
        QuickTrain.Accuracy(f.Model, adversarial, f.TestLabels).Should().BeGreaterThan(QuickTrain.Accuracy(f.Model, f.TestImages, f.TestLabels) - 0.05,
            "almost nothing can be broken within 1e-4; what FAB found outside the ball is not returned");
    }

    [Fact]
    public void Descriptor_Targeted_NamesFabTAndTargets()
    {
        var attack = Fab.TowardsTargets(8.0 / 255, targetClasses: 9);

        attack.Descriptor.Family.Should().Be(AttackFamily.Fab);
        attack.Descriptor.TargetClasses.Should().Be(9);
        attack.Name.Should().StartWith("FAB-T-100(").And.Contain("9 targets");
        new Fab(0.5, threatModel: ThreatModel.L2).Name.Should().StartWith("FAB-100(").And.Contain("L2");
    }
}
