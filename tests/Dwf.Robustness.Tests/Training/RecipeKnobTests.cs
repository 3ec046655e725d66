using Microsoft.Extensions.Logging.Testing;
using Dwf.Robustness.Tests.TestSupport;
using Dwf.Robustness.Training;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Training;

/// <summary>The recipe knobs of issue #19: one-cycle schedule, no decay on norms and biases, label smoothing, expert rates in the joint phase.</summary>
public class RecipeKnobTests
{
    [Fact]
    public void RateAt_OneCycle_RisesFromBaseOver25ThenFallsToItsTenThousandth()
    {
        var options = new OptimizerOptions { LearningRate = 0.1, Schedule = LearningRateSchedule.OneCycle, WarmupEpochs = 1.5 };
        long perEpoch = 10, total = 100; // warm-up 15 steps = 15%

        options.RateAt(0, total, perEpoch).Should().BeApproximately(0.1 / 25, 1e-12);
        options.RateAt(15, total, perEpoch).Should().BeApproximately(0.1, 1e-12, "the peak at the end of the warm-up");
        options.RateAt(99, total, perEpoch).Should().BeApproximately(0.1 / 25 / 1e4, 1e-12);
        Enumerable.Range(0, 15).Select(s => options.RateAt(s, total, perEpoch)).Should().BeInAscendingOrder();
        Enumerable.Range(15, 85).Select(s => options.RateAt(s, total, perEpoch)).Should().BeInDescendingOrder();
    }

    [Fact]
    public void Create_NoDecayOnNormAndBias_TwoGroupsOneWithoutDecay()
    {
        using var model = new TinyCnn(4, seed: 1);
        var options = new OptimizerOptions { WeightDecay = 5e-4, DecayNormAndBias = false };

        using var optimizer = Sgd.Create(model.parameters(), options);

        var groups = optimizer.ParamGroups.Cast<TorchSharp.Modules.SGD.ParamGroup>().ToList();
        groups.Should().HaveCount(2);
        groups[0].Options.weight_decay.Should().Be(5e-4);
        groups[1].Options.weight_decay.Should().Be(0);
        groups[1].Parameters.Should().OnlyContain(p => p.dim() <= 1);
        groups[0].Parameters.Should().OnlyContain(p => p.dim() > 1);
        options.ToString().Should().Contain("no decay on norm and bias");
        new OptimizerOptions().ToString().Should().NotContain("norm", "the default's description is unchanged, so existing checkpoints still resume");
    }

    [Fact]
    public void Validate_LabelSmoothingOutOfRange_ThrowsNamingIt()
    {
        var expert = () => new ExpertTrainingOptions { LabelSmoothing = 1 }.Validate();
        expert.Should().Throw<ArgumentException>().WithMessage("*LabelSmoothing*[0,1)*");
        var joint = () => new JointTrainingOptions { LabelSmoothing = -0.1 }.Validate();
        joint.Should().Throw<ArgumentException>().WithMessage("*LabelSmoothing*");
        var cap = () => new JointTrainingOptions { MaxExpertRateScale = 0.5 }.Validate();
        cap.Should().Throw<ArgumentException>().WithMessage("*MaxExpertRateScale*");
    }

    private static double ExpertChange(ExpertRateScaling scaling, out TrainingResult result)
    {
        using var moe = TinyMixture.Create(experts: 3);
        var before = moe.Experts.Select(e => e.Module.parameters().Select(p => p.detach().clone()).ToList()).ToList();
        var data = SyntheticDataset.Create(128, classes: 4, seed: 3);
        result = new JointTrainer(Training.JointTrainerTests.TinyOptions(epochs: 2) with { ExpertRateScaling = scaling, GateWarmupBatches = 0 })
            .Fit(moe, SyntheticDataset.Loader(data));
        double change = 0;
        for (int e = 0; e < 3; e++)
        {
            var now = moe.Experts[e].Module.parameters().ToList();
            change += before[e].Zip(now, (a, b) => (a - b).pow(2).sum().item<float>()).Sum();
        }

        data.Dispose();
        return Math.Sqrt(change);
    }

    [Fact]
    public void JointFit_InverseGateWeight_MovesExpertsFurtherAndReportsTheirRates()
    {
        double plain = ExpertChange(ExpertRateScaling.None, out var plainResult);
        double scaled = ExpertChange(ExpertRateScaling.InverseGateWeight, out var scaledResult);

        scaled.Should().BeGreaterThan(1.5 * plain, "rates scaled by 1/w̄ (about 3 for three experts) move the experts further");
        var rates = scaledResult.History[0].GroupLearningRates!;
        var plainRates = plainResult.History[0].GroupLearningRates!;
        rates.Should().HaveCount(plainRates.Count).And.HaveCountGreaterThan(3, "the gate's group and one per expert");
        rates[^1].Should().BeApproximately(3 * plainRates[^1], 1e-12, "first epoch: uniform weights 1/3, so 3× the scheduled rate");
    }

    private sealed class CancelAfterFirstEpoch(CancellationTokenSource source) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.CompletedEpoch is not null)
            {
                source.Cancel();
            }
        }
    }

    [Fact]
    public void JointFit_FreshRun_WarmsGateStatisticsOnceAndNotOnResume()
    {
        using var dir = new TempDirectory();
        string checkpoint = dir.File("joint.ckpt");
        using var data = SyntheticDataset.Create(128, classes: 4, seed: 3);
        var options = Training.JointTrainerTests.TinyOptions(epochs: 2) with { GateWarmupBatches = 3 };
        var logger = new FakeLogger();
        using var source = new CancellationTokenSource();
        using (var moe = TinyMixture.Create(experts: 2))
        {
            var first = () => new JointTrainer(options, logger).Fit(moe, SyntheticDataset.Loader(data), checkpoint, new CancelAfterFirstEpoch(source), source.Token);
            first.Should().Throw<OperationCanceledException>();
        }

        logger.Lines().Should().ContainSingle(l => l.Contains("gate BatchNorm statistics warmed on 3 clean batches"));
        logger.Collector.Clear();
        using (var moe = TinyMixture.Create(experts: 2))
        {
            var result = new JointTrainer(options, logger).Fit(moe, SyntheticDataset.Loader(data), checkpoint);
            result.ResumedFromEpoch.Should().NotBeNull();
        }

        logger.Lines().Should().NotContain(l => l.Contains("warmed"), "a resumed run has the warmed statistics in its checkpoint");
    }
}
