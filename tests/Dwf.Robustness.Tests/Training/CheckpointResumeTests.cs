using Microsoft.Extensions.Logging.Testing;
using Dwf.Robustness.Attacks;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Tests.TestSupport;
using Dwf.Robustness.Training;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Training;

public class CheckpointResumeTests
{
    private static void AssertIdentical(nn.Module a, nn.Module b)
    {
        var sa = a.state_dict();
        var sb = b.state_dict();
        sa.Keys.Should().Equal(sb.Keys);
        foreach (var key in sa.Keys)
        {
            sa[key].equal(sb[key]).all().item<bool>().Should().BeTrue($"'{key}' must be bit-identical");
        }
    }

    [Fact]
    public void Fit_KEpochsThenResume_BitIdenticalToStraightRun()
    {
        using var dir = new TempDirectory();
        using var data = SyntheticDataset.Create(64);
        using var straight = TinyMixture.Create(experts: 2, seed: 1);
        using var resumed = TinyMixture.Create(experts: 2, seed: 1);
        var options = JointTrainerTests.TinyOptions(epochs: 3);

        new JointTrainer(options).Fit(straight, SyntheticDataset.Loader(data));

        string path = dir.File("joint.ckpt");
        var (cts, progress) = CancelAfterBatches(2 * 2); // 64 images / 32 = 2 batches per epoch: stop after epoch 2
        var first = () => new JointTrainer(options).Fit(resumed, SyntheticDataset.Loader(data), path, progress, cts.Token);
        first.Should().Throw<OperationCanceledException>();
        var result = new JointTrainer(options).Fit(resumed, SyntheticDataset.Loader(data), path);

        result.ResumedFromEpoch.Should().Be(2);
        result.History.Should().HaveCount(3);
        AssertIdentical(straight, resumed);
    }

    [Fact]
    public void Fit_CancelMidEpoch_LeavesResumableCheckpointAndResumesBitIdentically()
    {
        using var dir = new TempDirectory();
        using var data = SyntheticDataset.Create(96); // 3 batches per epoch
        using var straight = TinyMixture.Create(experts: 2, seed: 1);
        using var interrupted = TinyMixture.Create(experts: 2, seed: 1);
        var options = JointTrainerTests.TinyOptions(epochs: 2);
        string path = dir.File("joint.ckpt");
        new JointTrainer(options).Fit(straight, SyntheticDataset.Loader(data));

        var (cts, progress) = CancelAfterBatches(4); // in the middle of epoch 2
        var act = () => new JointTrainer(options).Fit(interrupted, SyntheticDataset.Loader(data), path, progress, cts.Token);

        act.Should().Throw<OperationCanceledException>();
        File.Exists(path).Should().BeTrue("cancelling leaves a checkpoint");
        using var fresh = TinyMixture.Create(experts: 2, seed: 1);
        var result = new JointTrainer(options).Fit(fresh, SyntheticDataset.Loader(data), path);
        result.ResumedFromEpoch.Should().Be(1);
        AssertIdentical(straight, fresh);
    }

    [Fact]
    public void Fit_CheckpointFromOtherSettings_RefusedWithDifferences()
    {
        using var dir = new TempDirectory();
        using var data = SyntheticDataset.Create(64);
        using var moe = TinyMixture.Create(experts: 2, seed: 1);
        string path = dir.File("joint.ckpt");
        new JointTrainer(JointTrainerTests.TinyOptions(epochs: 1)).Fit(moe, SyntheticDataset.Loader(data), path);

        var act = () => new JointTrainer(JointTrainerTests.TinyOptions(epochs: 1) with { Seed = 99 }).Fit(moe, SyntheticDataset.Loader(data), path);

        act.Should().Throw<InvalidDataException>().WithMessage("*seed: checkpoint 5, now 99*");
    }

    public enum Change { LoaderAugment, LoaderShuffle, LoaderCropPadding, LoaderDropLast, OtherDataSameSize, PgdStepSize, EpsilonBeyondFourDecimals, GateNesterov, ExpertsWarmup, Shares, GateWarmupBatches }

    [Theory]
    [InlineData(Change.LoaderAugment, "*loader: checkpoint*Augment*")]
    [InlineData(Change.LoaderShuffle, "*loader: checkpoint*Shuffle*")]
    [InlineData(Change.LoaderCropPadding, "*loader: checkpoint*CropPadding*")]
    [InlineData(Change.LoaderDropLast, "*loader: checkpoint*DropLast*")]
    [InlineData(Change.OtherDataSameSize, "*data: checkpoint*")]
    [InlineData(Change.PgdStepSize, "*options.PgdAttack: checkpoint*stepSize=0.01*now*stepSize=0.011*")]
    [InlineData(Change.EpsilonBeyondFourDecimals, "*options.FgsmAttack: checkpoint*epsilon=0.03,*now*epsilon=0.03001,*")]
    [InlineData(Change.GateNesterov, "*options.Gate.Nesterov: checkpoint false, now true*")]
    [InlineData(Change.ExpertsWarmup, "*options.Experts.WarmupEpochs: checkpoint 0, now 0.5*")]
    [InlineData(Change.Shares, "*options.CleanShare: checkpoint 0.333*, now 0.25*")]
    [InlineData(Change.GateWarmupBatches, "*options.GateWarmupBatches: checkpoint*now 3*")]
    public void Fit_CheckpointWithOneSettingChanged_RefusedNamingIt(Change change, string message)
    {
        using var dir = new TempDirectory();
        using var data = SyntheticDataset.Create(64);
        using var other = SyntheticDataset.Create(64, seed: 9);
        using var moe = TinyMixture.Create(experts: 2, seed: 1);
        string path = dir.File("joint.ckpt");
        var options = JointTrainerTests.TinyOptions(epochs: 1);
        var loaderOptions = new Dwf.Robustness.Data.BatchLoaderOptions { BatchSize = 32, Augment = false, Seed = 0 };
        new JointTrainer(options).Fit(moe, new Dwf.Robustness.Data.BatchLoader(data, loaderOptions), path);

        var (changedOptions, changedData, changedLoader) = change switch
        {
            Change.LoaderAugment => (options, data, loaderOptions with { Augment = true }),
            Change.LoaderShuffle => (options, data, loaderOptions with { Shuffle = false }),
            Change.LoaderCropPadding => (options, data, loaderOptions with { CropPadding = 2 }),
            Change.LoaderDropLast => (options, data, loaderOptions with { DropLast = true }),
            Change.OtherDataSameSize => (options, other, loaderOptions),
            Change.PgdStepSize => (options with { PgdAttack = PaperAttacks.RandomStepsPgd([1, 2], 0.03, 0.011) }, data, loaderOptions),
            Change.GateNesterov => (options with { Gate = options.Gate with { Nesterov = true } }, data, loaderOptions),
            Change.ExpertsWarmup => (options with { Experts = options.Experts with { WarmupEpochs = 0.5 } }, data, loaderOptions),
            Change.Shares => (options with { CleanShare = 0.25, FgsmShare = 0.25, PgdShare = 0.5 }, data, loaderOptions),
            Change.GateWarmupBatches => (options with { GateWarmupBatches = 3 }, data, loaderOptions),
            _ => (options with { FgsmAttack = PaperAttacks.RandomEpsilonFgsm([0.01, 0.03001]) }, data, loaderOptions),
        };
        var act = () => new JointTrainer(changedOptions).Fit(moe, new Dwf.Robustness.Data.BatchLoader(changedData, changedLoader), path);

        act.Should().Throw<InvalidDataException>().WithMessage(message);
    }

    [Fact]
    public void Fit_CheckpointOfOtherMixtureMode_RefusedNamingIt()
    {
        using var dir = new TempDirectory();
        using var data = SyntheticDataset.Create(64);
        using var logits = TinyMixture.Create(experts: 2, seed: 1);
        using var probabilities = TinyMixture.Create(experts: 2, mode: Dwf.Robustness.Moe.MixtureMode.Probabilities, seed: 1);
        string path = dir.File("joint.ckpt");
        new JointTrainer(JointTrainerTests.TinyOptions(epochs: 1)).Fit(logits, SyntheticDataset.Loader(data), path);

        var act = () => new JointTrainer(JointTrainerTests.TinyOptions(epochs: 1)).Fit(probabilities, SyntheticDataset.Loader(data), path);

        act.Should().Throw<InvalidDataException>().WithMessage("*mixture: checkpoint Logits*now Probabilities*");
    }

    [Fact]
    public void Fit_CheckpointOfOtherTopK_RefusedNamingIt()
    {
        using var dir = new TempDirectory();
        using var data = SyntheticDataset.Create(64);
        static MixtureOfExperts TopK(int k)
        {
            var experts = TinyMixture.Experts(3, seed: 1);
            manual_seed(101);
            return new MixtureOfExperts(experts, new TopKGate(new SoftGate(3, width: 4), k));
        }

        using var two = TopK(2);
        using var one = TopK(1);
        string path = dir.File("joint.ckpt");
        new JointTrainer(JointTrainerTests.TinyOptions(epochs: 1)).Fit(two, SyntheticDataset.Loader(data), path);

        var act = () => new JointTrainer(JointTrainerTests.TinyOptions(epochs: 1)).Fit(one, SyntheticDataset.Loader(data), path);

        act.Should().Throw<InvalidDataException>().WithMessage("*mixture: checkpoint*k=2*now*k=1*");
    }

    [Fact]
    public void Fit_CheckpointOfOtherModel_RefusedBeforeLoading()
    {
        using var dir = new TempDirectory();
        using var data = SyntheticDataset.Create(64);
        string path = dir.File("expert.ckpt");
        using var small = new TinyCnn(4, seed: 1);
        var options = new ExpertTrainingOptions { Epochs = 1, Optimizer = new OptimizerOptions { LearningRate = 0.05 } };
        new ExpertTrainer(options).Fit(new Dwf.Robustness.Experts.Expert(small, "x", 4), SyntheticDataset.Loader(data), path);
        using var other = new Dwf.Robustness.Experts.ResNet18(4, 0.125);

        var act = () => new ExpertTrainer(options).Fit(new Dwf.Robustness.Experts.Expert(other, "x", 4), SyntheticDataset.Loader(data), path);

        act.Should().Throw<InvalidDataException>().WithMessage("*Nothing was loaded*");
    }

    [Theory]
    [InlineData("nesterov", "*options.Optimizer.Nesterov: checkpoint false, now true*")]
    [InlineData("probe", "*options.CleanAccuracySample: checkpoint 32, now 16*")]
    public void ExpertFit_CheckpointWithOneOptionChanged_RefusedNamingItsPath(string change, string message)
    {
        using var dir = new TempDirectory();
        using var data = SyntheticDataset.Create(64);
        string path = dir.File("expert.ckpt");
        using var model = new TinyCnn(4, seed: 1);
        var options = new ExpertTrainingOptions { Epochs = 1, Optimizer = new OptimizerOptions { LearningRate = 0.05 } };
        new ExpertTrainer(options).Fit(new Dwf.Robustness.Experts.Expert(model, "x", 4), SyntheticDataset.Loader(data), path);
        var changed = change == "nesterov" ? options with { Optimizer = options.Optimizer with { Nesterov = true } } : options with { CleanAccuracySample = 16 };

        var act = () => new ExpertTrainer(changed).Fit(new Dwf.Robustness.Experts.Expert(model, "x", 4), SyntheticDataset.Loader(data), path);

        act.Should().Throw<InvalidDataException>().WithMessage(message);
    }

    [Fact]
    public void OptionsFingerprint_GermanCulture_SameEntries()
    {
        var options = JointTrainerTests.TinyOptions(epochs: 1) with { GateEntropyWeight = 0.125 };
        var invariant = OptionsFingerprint.Of(options, "options");
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            OptionsFingerprint.Of(options, "options").Should().Equal(invariant);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }

        invariant["options.GateEntropyWeight"].Should().Be("0.125");
        invariant.Keys.Should().Contain(["options.Gate.LearningRate", "options.Experts.Schedule", "options.PgdAttack", "options.LabelSmoothing"]);
    }

    [Fact]
    public void Fit_ProgressAndLogger_ReportEveryEpoch()
    {
        using var data = SyntheticDataset.Create(64);
        using var moe = TinyMixture.Create(experts: 2, seed: 1);
        var reports = new List<TrainingProgress>();
        var logger = new FakeLogger();

        new JointTrainer(JointTrainerTests.TinyOptions(epochs: 2), logger).Fit(moe, SyntheticDataset.Loader(data), progress: new SyncProgress<TrainingProgress>(reports.Add));

        reports.Where(r => r.CompletedEpoch is not null).Select(r => r.CompletedEpoch!.Epoch).Should().Equal(1, 2);
        reports.Select(r => r.Epoch).Should().Equal([1, 1, 2, 2], "progress counts epochs from 1, as the metrics do");
        reports.Where(r => r.CompletedEpoch is not null).Should().OnlyContain(r => r.Epoch == r.CompletedEpoch!.Epoch);
        reports.Should().HaveCount(4, "one report per batch, 2 batches × 2 epochs");
        logger.Lines().Where(l => !l.Contains("warmed")).Should().HaveCount(2).And.OnlyContain(l => l.StartsWith("joint epoch"));
        logger.Lines().Should().ContainSingle(l => l.Contains("gate BatchNorm statistics warmed"));
    }

    [Fact]
    public void Fit_OneEpoch_LeaksNoTensors()
    {
        using var data = SyntheticDataset.Create(64);
        using var moe = TinyMixture.Create(experts: 2, seed: 1);
        var trainer = new JointTrainer(JointTrainerTests.TinyOptions(epochs: 1));
        LeakCheck.AssertNoLeak(() => trainer.Fit(moe, SyntheticDataset.Loader(data)));
    }

    private static (CancellationTokenSource Source, IProgress<TrainingProgress> Progress) CancelAfterBatches(int batches)
    {
        // Progress is reported after every batch; the loop checks the token before the next one.
        var source = new CancellationTokenSource();
        int seen = 0;
        return (source, new SyncProgress<TrainingProgress>(_ =>
        {
            if (++seen >= batches)
            {
                source.Cancel();
            }
        }));
    }
}
