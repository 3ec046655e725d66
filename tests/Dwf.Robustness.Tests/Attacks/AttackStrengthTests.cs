using Dwf.Robustness.Attacks;
using Dwf.Robustness.Tests.TestSupport;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Attacks;

/// <summary>Attack strength on a small model trained inside the test run (synthetic data).</summary>
public class AttackStrengthTests(TrainedModelFixture f) : IClassFixture<TrainedModelFixture>
{
    private const double Eps = 0.05; // where this model's accuracy is neither 100% nor 0%

    private double AccuracyUnder(IAttack attack, ulong seed = 1)
    {
        using var scope = NewDisposeScope();
        using var gen = new Generator(seed);
        return QuickTrain.Accuracy(f.Model, attack.Perturb(f.Model, f.TestImages, f.TestLabels, gen), f.TestLabels);
    }

    [Fact]
    public void Perturb_SameEpsilon_CleanAtLeastFgsmAtLeastPgd()
    {
        double clean = QuickTrain.Accuracy(f.Model, f.TestImages, f.TestLabels);
        double fgsm = AccuracyUnder(new Fgsm(Eps));
        double pgd = AccuracyUnder(new Pgd(Eps, Eps / 4, steps: 10));

        clean.Should().BeGreaterThan(0.95, "the fixture model must have learned the task");
        fgsm.Should().BeLessThan(clean - 0.2, "FGSM at this ε must hurt");
        pgd.Should().BeLessThanOrEqualTo(fgsm + 0.01, "PGD must not be weaker than FGSM at the same ε");
    }

    [Fact]
    public void Perturb_MoreStepsAndRestarts_NotWeakerBeyondNoise()
    {
        double pgd10 = AccuracyUnder(new Pgd(Eps, Eps / 4, steps: 10));
        double pgd50 = AccuracyUnder(new Pgd(Eps, Eps / 4, steps: 50));
        double pgd50x3 = AccuracyUnder(new Pgd(Eps, Eps / 4, steps: 50, restarts: 3));

        pgd50.Should().BeLessThanOrEqualTo(pgd10 + 0.02);
        pgd50x3.Should().BeLessThanOrEqualTo(pgd50 + 0.005, "restarts keep the per-sample worst case");
    }

    [Fact]
    public void Perturb_ZeroEpsilon_LeavesImagesAndAccuracyUnchanged()
    {
        using var scope = NewDisposeScope();
        foreach (IAttack attack in new IAttack[] { new Fgsm(0), new Pgd(0, 0.01, steps: 5) })
        {
            var adversarial = attack.Perturb(f.Model, f.TestImages, f.TestLabels);
            adversarial.equal(f.TestImages).all().item<bool>().Should().BeTrue(attack.Name);
        }
    }

    [Fact]
    public void Perturb_LargeEpsilon_DrivesAccuracyNearZero()
    {
        AccuracyUnder(new Pgd(0.15, 0.02, steps: 20)).Should().BeLessThan(0.05);
    }

    [Fact]
    public void Perturb_PgdL2_BreaksUndefendedModelFarBeyondRandomNoise()
    {
        double clean = QuickTrain.Accuracy(f.Model, f.TestImages, f.TestLabels);
        double noise = AccuracyUnder(new Pgd(1.0, 1e-9, steps: 1, threatModel: ThreatModel.L2)); // a random start in the ball, a negligible step
        double pgd = AccuracyUnder(new Pgd(1.0, 0.25, steps: 20, threatModel: ThreatModel.L2));

        noise.Should().BeGreaterThan(clean - 0.15, "random noise of L2 norm ≤ 1 barely hurts this model");
        pgd.Should().BeLessThan(0.05, "PGD-L2 at ε = 1 (about 0.07 per value on 3×8×8 images) must break an undefended model");
    }

    [Fact]
    public void Perturb_ApgdL2_NoWeakerThanPgdL2AndBreaksModel()
    {
        double pgd = AccuracyUnder(new Pgd(0.5, 0.125, steps: 20, threatModel: ThreatModel.L2));
        double apgd = AccuracyUnder(new Apgd(0.5, steps: 20, threatModel: ThreatModel.L2));
        double apgdT = AccuracyUnder(Apgd.TargetedDlr(0.5, targetClasses: 3, steps: 20, threatModel: ThreatModel.L2));
        double broken = AccuracyUnder(new Apgd(1.0, steps: 20, threatModel: ThreatModel.L2));

        apgd.Should().BeLessThanOrEqualTo(pgd + 0.02, "APGD-CE in L2 must not be weaker than PGD-L2 with as many steps");
        apgdT.Should().BeLessThanOrEqualTo(pgd + 0.02);
        broken.Should().BeLessThan(0.05, "APGD-L2 at ε = 1 must break an undefended model");
    }

    [Theory]
    [InlineData(AttackLoss.CrossEntropy)]
    [InlineData(AttackLoss.CarliniWagnerMargin)]
    public void Perturb_TargetedPgd_ReachesTargetOnMostInputs(AttackLoss loss)
    {
        using var scope = NewDisposeScope();
        var targets = (f.TestLabels + 1) % 4;
        var attack = new Pgd(0.15, 0.02, steps: 30, loss: loss, targeted: true);

        var adversarial = attack.Perturb(f.Model, f.TestImages, targets);
        double hit = QuickTrain.Accuracy(f.Model, adversarial, targets);

        hit.Should().BeGreaterThan(0.8);
    }

    [Fact]
    public void Perturb_CarliniWagnerLoss_AlsoBreaksModel()
    {
        AccuracyUnder(new Pgd(Eps, Eps / 4, steps: 20, loss: AttackLoss.CarliniWagnerMargin))
            .Should().BeLessThan(QuickTrain.Accuracy(f.Model, f.TestImages, f.TestLabels) - 0.3);
    }
}
