using Dwf.Robustness.Attacks;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Tests.TestSupport;
using Dwf.Robustness.Training;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Training;

public class JointTrainerTests
{
    internal static JointTrainingOptions TinyOptions(int epochs = 2, bool freeze = false) => new()
    {
        Epochs = epochs,
        FgsmAttack = PaperAttacks.RandomEpsilonFgsm([0.01, 0.03]),
        PgdAttack = PaperAttacks.RandomStepsPgd([1, 2], 0.03, 0.01),
        Gate = new OptimizerOptions { LearningRate = 0.05 },
        Experts = new OptimizerOptions { LearningRate = 0.02 },
        FreezeExperts = freeze,
        Seed = 5,
    };

    private static Dictionary<string, Tensor> Snapshot(nn.Module module) =>
        module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone().DetachFromDisposeScope());

    [Fact]
    public void Fit_TinyMixture_ChangesGateWeightsAndReportsThem()
    {
        using var data = SyntheticDataset.Create(96);
        using var moe = TinyMixture.Create(experts: 3, seed: 1);
        using var probe = rand(16, 3, 8, 8);
        moe.eval();
        var before = moe.Gate.call(probe).detach().clone();

        var result = new JointTrainer(TinyOptions(epochs: 2)).Fit(moe, SyntheticDataset.Loader(data));

        var after = moe.Gate.call(probe);
        (after - before).abs().max().item<float>().Should().BeGreaterThan(1e-4f);
        result.History.Should().HaveCount(2);
        result.History[0].MeanGateWeights.Should().HaveCount(3);
        result.History[0].MeanGateWeights!.Sum().Should().BeApproximately(1, 1e-5);
        result.History[0].CleanAccuracy.Should().BeInRange(0, 1);
        result.History[0].AdversarialAccuracy.Should().BeInRange(0, 1);
    }

    [Fact]
    public void Fit_Unfrozen_ChangesExperts()
    {
        using var data = SyntheticDataset.Create(64);
        using var moe = TinyMixture.Create(experts: 2, seed: 1);
        var before = Snapshot(moe.Experts[0].Module);

        new JointTrainer(TinyOptions(epochs: 1)).Fit(moe, SyntheticDataset.Loader(data));

        var after = moe.Experts[0].Module.state_dict();
        before.Should().Contain(kv => !kv.Value.equal(after[kv.Key]).all().item<bool>());
    }

    [Fact]
    public void Fit_FrozenExperts_LeavesEveryExpertTensorUnchanged()
    {
        using var data = SyntheticDataset.Create(64);
        using var moe = TinyMixture.Create(experts: 2, seed: 1);
        var before = moe.Experts.Select(e => Snapshot(e.Module)).ToList();

        new JointTrainer(TinyOptions(epochs: 2, freeze: true)).Fit(moe, SyntheticDataset.Loader(data));

        for (int i = 0; i < before.Count; i++)
        {
            var after = moe.Experts[i].Module.state_dict();
            foreach (var (name, value) in before[i])
            {
                value.equal(after[name]).all().item<bool>().Should().BeTrue($"expert {i} '{name}' (parameters and BatchNorm statistics)");
            }
        }
    }

    [Fact]
    public void Split_DefaultShares_AreEqualThirds()
    {
        new JointTrainer(TinyOptions()).Split(128).Should().Be((43, 43, 42));
    }

    [Fact]
    public void Constructor_SharesNotSummingToOne_ThrowsNamingOption()
    {
        var act = () => new JointTrainer(TinyOptions() with { CleanShare = 0.5 });
        act.Should().Throw<ArgumentException>().WithParameterName("CleanShare");
    }

    [Fact]
    public void Constructor_NegativeGateLearningRate_ThrowsNamingOption()
    {
        var act = () => new JointTrainer(TinyOptions() with { Gate = new OptimizerOptions { LearningRate = -1 } });
        act.Should().Throw<ArgumentException>().WithParameterName("Gate.LearningRate");
    }

    [Fact]
    public void Defaults_MatchDocumentedValues()
    {
        var o = new JointTrainingOptions();
        o.Epochs.Should().Be(100, "the paper trains jointly for 100 epochs");
        (o.CleanShare, o.FgsmShare, o.PgdShare).Should().Be((1.0 / 3, 1.0 / 3, 1.0 / 3));
        o.FreezeExperts.Should().BeFalse();
        o.GateEntropyWeight.Should().Be(0);
        o.Gate.LearningRate.Should().Be(0.1);
        o.Experts.LearningRate.Should().Be(0.01);
        ((RandomizedAttack)o.FgsmAttack).Choices.Should().HaveCount(9);
        ((RandomizedAttack)o.PgdAttack).Choices.Cast<Pgd>().Select(p => p.Steps).Should().Equal(10, 20, 30, 40, 50);
    }
}
