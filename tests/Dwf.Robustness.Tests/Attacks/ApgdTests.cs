using Dwf.Robustness.Attacks;
using Dwf.Robustness.Tests.TestSupport;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Attacks;

/// <summary>APGD on a small model trained inside the test run: at least as strong as PGD, per sample.</summary>
public class ApgdTests(TrainedModelFixture f) : IClassFixture<TrainedModelFixture>
{
    private const double Eps = 0.05;

    private bool[] RobustUnder(IAttack attack, ulong seed = 1)
    {
        using var scope = NewDisposeScope();
        using var gen = new Generator(seed);
        var adversarial = attack.Perturb(f.Model, f.TestImages, f.TestLabels, gen);
        using var noGrad = no_grad();
        return f.Model.call(adversarial).argmax(1).eq(f.TestLabels).data<bool>().ToArray();
    }

    [Fact]
    public void Checkpoints_HundredSteps_ReferenceSchedule()
    {
        // 22% first, intervals shrinking by 3% of the steps down to 6%: AutoAttack's n_iter_2, size_decr, n_iter_min.
        Apgd.Checkpoints(100).Should().Equal(22, 41, 57, 70, 80, 87, 93, 99);
        Apgd.Checkpoints(1).Should().Equal(1);
    }

    [Fact]
    public void Perturb_TrainedModel_PerSampleAtLeastAsStrongAsPgd20()
    {
        var pgd = RobustUnder(new Pgd(Eps, Eps / 4, steps: 20));
        var apgd = RobustUnder(new Apgd(Eps, steps: 20));

        int onlyApgdFails = pgd.Zip(apgd).Count(p => !p.First && p.Second); // PGD broke it, APGD did not
        apgd.Count(r => r).Should().BeLessThanOrEqualTo(pgd.Count(r => r), "APGD-CE must not leave more images robust than PGD-20");
        onlyApgdFails.Should().BeLessThanOrEqualTo(3, "per sample, APGD may miss at most a handful of PGD's adversarial examples (1% of 256)");
        pgd.Count(r => r).Should().BeInRange(10, 245, "ε must be one where the attacks are neither trivial nor hopeless");
    }

    [Fact]
    public void Perturb_TargetedDlr_NoWeakerThanApgdCe()
    {
        var ce = RobustUnder(new Apgd(Eps, steps: 20));
        var t = RobustUnder(Apgd.TargetedDlr(Eps, targetClasses: 3, steps: 20));

        t.Count(r => r).Should().BeLessThanOrEqualTo(ce.Count(r => r) + 2, "three targeted DLR runs are at least as strong as one CE run here");
    }

    [Fact]
    public void Perturb_NaturallyMisclassified_ReturnedUnchanged()
    {
        using var scope = NewDisposeScope();
        var x = f.TestImages.narrow(0, 0, 16);
        var wrong = (f.TestLabels.narrow(0, 0, 16) + 1) % 4; // labels the model does not predict for most images
        using var noGrad = no_grad();
        var predicted = f.Model.call(x).argmax(1);
        var misclassified = predicted.ne(wrong);

        var adversarial = new Apgd(Eps, steps: 3).Perturb(f.Model, x, wrong);

        var unchanged = (adversarial - x).abs().amax([1, 2, 3]).eq(0);
        (unchanged | misclassified.logical_not()).all().item<bool>().Should().BeTrue("an image already misclassified needs no perturbation");
    }

    [Fact]
    public void TargetedDlr_MoreTargetsThanClasses_ThrowsNamingCounts()
    {
        using var scope = NewDisposeScope();
        var act = () => Apgd.TargetedDlr(Eps, targetClasses: 4, steps: 2).Perturb(f.Model, f.TestImages.narrow(0, 0, 4), f.TestLabels.narrow(0, 0, 4));
        act.Should().Throw<ArgumentException>().WithMessage("*4 target classes*4*");
    }

    [Fact]
    public void Constructor_TargetedLossWithoutTargets_Throws()
    {
        var act = () => new Apgd(Eps, loss: AttackLoss.TargetedDifferenceOfLogitsRatio);
        act.Should().Throw<ArgumentException>().WithMessage("*TargetedDlr*");
    }
}
