using Dwf.Robustness.Attacks;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Tests.TestSupport;
using Dwf.Robustness.Training;

namespace Dwf.Robustness.Tests.Training;

public class ExpertTrainerTests
{
    private static readonly OptimizerOptions Fast = new() { LearningRate = 0.05 };

    [Fact]
    public void Fit_CleanTinyExpert_LossDecreasesAndBeatsChance()
    {
        using var data = SyntheticDataset.Create(256);
        using var module = new TinyCnn(4, seed: 1);
        var expert = new Expert(module, "clean", 4, ExpertKind.Clean);
        var trainer = new ExpertTrainer(new ExpertTrainingOptions { Epochs = 4, Optimizer = Fast });

        var result = trainer.Fit(expert, SyntheticDataset.Loader(data));

        result.History.Should().HaveCount(4);
        result.History[^1].Loss.Should().BeLessThan(result.History[0].Loss);
        result.History[^1].CleanAccuracy.Should().BeGreaterThan(0.5, "chance is 0.25");
        double.IsNaN(result.History[0].AdversarialAccuracy).Should().BeTrue("clean training measures no adversarial accuracy");
        module.training.Should().BeFalse("the expert is left in eval mode");
    }

    [Fact]
    public void Fit_FgsmExpert_ReportsCleanAndAdversarialAccuracy()
    {
        using var data = SyntheticDataset.Create(256);
        using var module = new TinyCnn(4, seed: 1);
        var expert = new Expert(module, "fgsm", 4, ExpertKind.Fgsm);
        var trainer = new ExpertTrainer(new ExpertTrainingOptions
        {
            Epochs = 6, Optimizer = Fast, Attack = PaperAttacks.RandomEpsilonFgsm([0.01, 0.02, 0.03]),
        });

        var result = trainer.Fit(expert, SyntheticDataset.Loader(data));

        result.History[^1].AdversarialAccuracy.Should().BeInRange(0, 1);
        result.History[^1].CleanAccuracy.Should().BeGreaterThan(0.25);
        result.History[^1].Loss.Should().BeLessThan(result.History[0].Loss);
    }

    [Fact]
    public void Fit_MixedBatches_TrainsOnCleanAndAdversarial()
    {
        using var data = SyntheticDataset.Create(64);
        using var module = new TinyCnn(4, seed: 1);
        var trainer = new ExpertTrainer(new ExpertTrainingOptions
        {
            Epochs = 1, Optimizer = Fast, Attack = Pgd.FastFgsm(0.03), MixCleanWithAdversarial = true,
        });

        var metrics = trainer.Fit(new Expert(module, "fast", 4), SyntheticDataset.Loader(data)).History[0];

        metrics.CleanAccuracy.Should().BeInRange(0, 1);
        metrics.AdversarialAccuracy.Should().BeInRange(0, 1);
    }

    [Fact]
    public void Constructor_NonPositiveLearningRate_ThrowsNamingOption()
    {
        var act = () => new ExpertTrainer(new ExpertTrainingOptions { Optimizer = new OptimizerOptions { LearningRate = 0 } });
        act.Should().Throw<ArgumentException>().WithParameterName("Optimizer.LearningRate");
    }

    [Fact]
    public void Constructor_ZeroEpochs_ThrowsNamingOption()
    {
        var act = () => new ExpertTrainer(new ExpertTrainingOptions { Epochs = 0 });
        act.Should().Throw<ArgumentException>().WithParameterName("Epochs");
    }

    [Fact]
    public void Defaults_MatchDocumentedValues()
    {
        var o = new ExpertTrainingOptions();
        o.Epochs.Should().Be(150, "the paper pre-trains 150 epochs");
        o.Attack.Should().BeNull();
        o.MixCleanWithAdversarial.Should().BeFalse();
        o.Optimizer.LearningRate.Should().Be(0.1);
        o.Optimizer.Momentum.Should().Be(0.9);
        o.Optimizer.WeightDecay.Should().Be(5e-4);
        o.Optimizer.Schedule.Should().Be(LearningRateSchedule.Cosine);
        o.Optimizer.Nesterov.Should().BeFalse();
        o.Optimizer.WarmupEpochs.Should().Be(0);
    }
}

public class CheckpointFingerprintCultureTests
{
    [Fact]
    public void Fingerprints_UnderCommaDecimalCulture_SameAsInvariant()
    {
        string Describe() => string.Join("|",
            Dwf.Robustness.Attacks.PaperAttacks.RandomEpsilonFgsm().Name,
            Dwf.Robustness.Attacks.PaperAttacks.RandomStepsPgd().Name,
            new OptimizerOptions { LearningRate = 0.05, WeightDecay = 5e-4 }.ToString());
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
            string invariant = Describe();
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            string german = Describe();

            german.Should().Be(invariant);
            invariant.Should().Contain("0.01, 0.02").And.Contain("ε=0.0314").And.Contain("lr=0.05");
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = saved;
        }
    }
}
