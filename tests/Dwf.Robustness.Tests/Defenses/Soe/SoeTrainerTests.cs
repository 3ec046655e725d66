using Dwf.Robustness.Attacks;
using Dwf.Robustness.Defenses.Soe;
using Dwf.Robustness.Tests.TestSupport;
using Dwf.Robustness.Training;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Defenses.Soe;

public class SoeTrainerTests
{
    [Fact]
    public void Loss_TwoSamplesTwoExperts_MatchesHandComputation()
    {
        using var scope = NewDisposeScope();
        double[,,] z = { { { 1.0, 0.0, -1.0 }, { 0.5, 0.5, 0.0 } }, { { 0.0, 2.0, 0.0 }, { -1.0, 0.0, 1.0 } } };
        double[,] c = { { 0.3, -0.2 }, { 1.0, 0.0 } };
        long[] y = [0, 2];
        var logits = tensor(z.Cast<double>().ToArray()).view(2, 2, 3);
        var confidence = tensor(c.Cast<double>().ToArray()).view(2, 2);
        var output = new SoeOutput(logits, confidence, SynergyOfExperts.Scores(logits, confidence), zeros(2, dtype: ScalarType.Int64));

        double loss = SoeTrainer.Loss(output, tensor(y), confidenceWeight: 0.5).item<double>();

        double classification = 0, bce = 0;
        for (int b = 0; b < 2; b++)
        {
            double w0 = Math.Exp(c[b, 0]) / (Math.Exp(c[b, 0]) + Math.Exp(c[b, 1]));
            for (int m = 0; m < 2; m++)
            {
                double norm = Enumerable.Range(0, 3).Sum(k => Math.Exp(z[b, m, k]));
                double p = Math.Exp(z[b, m, y[b]]) / norm;
                classification += (m == 0 ? w0 : 1 - w0) * -Math.Log(p) / 2;
                double s = 1 / (1 + Math.Exp(-c[b, m]));
                bce += -(p * Math.Log(s) + (1 - p) * Math.Log(1 - s)) / 2; // mean over samples, summed over experts
            }
        }

        loss.Should().BeApproximately(classification + 0.5 * bce, 1e-9);
    }

    [Fact]
    public void Fit_TinyMembersWithPgd_LossDecreasesCleanAboveChanceLeftInEvalMode()
    {
        using var data = SyntheticDataset.Create(192);
        using var soe = SynergyOfExpertsTests.Tiny();
        var trainer = new SoeTrainer(new SoeTrainingOptions
        {
            Epochs = 4, Attack = new Pgd(0.03, 0.01, steps: 2), Optimizer = new OptimizerOptions { LearningRate = 0.05 },
        });

        var result = trainer.Fit(soe, SyntheticDataset.Loader(data));

        result.History.Should().HaveCount(4);
        result.History[^1].Loss.Should().BeLessThan(result.History[0].Loss);
        result.History[^1].CleanAccuracy.Should().BeGreaterThan(0.3, "chance is 0.25 (0.38 measured with these seeds)");
        result.History[^1].AdversarialAccuracy.Should().BeInRange(0, 1);
        soe.training.Should().BeFalse();
    }

    [Fact]
    public void Fit_CancelAfterOneEpochThenResume_BitIdenticalToStraightRun()
    {
        using var dir = new TempDirectory();
        using var data = SyntheticDataset.Create(64); // 2 batches per epoch
        var options = new SoeTrainingOptions { Epochs = 2, Attack = new Pgd(0.03, 0.01, steps: 1), Optimizer = new OptimizerOptions { LearningRate = 0.05 } };
        using var straight = SynergyOfExpertsTests.Tiny(2);
        new SoeTrainer(options).Fit(straight, SyntheticDataset.Loader(data));

        using var resumed = SynergyOfExpertsTests.Tiny(2);
        string checkpoint = dir.File("soe.ckpt");
        var source = new CancellationTokenSource();
        int seen = 0;
        var progress = new SyncProgress<TrainingProgress>(_ =>
        {
            if (++seen >= 2)
            {
                source.Cancel();
            }
        });
        var first = () => new SoeTrainer(options).Fit(resumed, SyntheticDataset.Loader(data), checkpoint, progress, source.Token);
        first.Should().Throw<OperationCanceledException>();
        var result = new SoeTrainer(options).Fit(resumed, SyntheticDataset.Loader(data), checkpoint);

        result.ResumedFromEpoch.Should().Be(1);
        var (a, b) = (straight.state_dict(), resumed.state_dict());
        foreach (var key in a.Keys)
        {
            a[key].equal(b[key]).all().item<bool>().Should().BeTrue($"'{key}' must be bit-identical");
        }

        var changed = () => new SoeTrainer(options with { ConfidenceWeight = 2 }).Fit(resumed, SyntheticDataset.Loader(data), checkpoint);
        changed.Should().Throw<InvalidDataException>("a checkpoint of other settings is refused").WithMessage("*ConfidenceWeight*");
    }

    [Fact]
    public void Options_NegativeConfidenceWeight_Refused()
    {
        var act = () => new SoeTrainer(new SoeTrainingOptions { ConfidenceWeight = -1 });
        act.Should().Throw<ArgumentException>().WithMessage("*ConfidenceWeight*-1*");
    }
}
