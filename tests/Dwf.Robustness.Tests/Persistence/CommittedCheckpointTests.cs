using Dwf.Robustness.Attacks;
using Dwf.Robustness.Defenses.AdvMoe;
using Dwf.Robustness.Defenses.Soe;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Testing;
using Dwf.Robustness.Tests.TestSupport;
using Dwf.Robustness.Tests.Training;
using Dwf.Robustness.Training;

namespace Dwf.Robustness.Tests.Persistence;

/// <summary>
/// Checkpoints written by an earlier commit (committed under Fixtures/) must still resume: renovations of the trainers
/// keep phase names, fingerprints and the file format. Regenerate a fixture only when the format changes on purpose:
/// <c>DWF_WRITE_CHECKPOINT_FIXTURES=1 dotnet test --filter CommittedCheckpointTests</c> writes it and fails, so the
/// new file is committed knowingly.
/// </summary>
public class CommittedCheckpointTests
{
    private const string WriteVariable = "DWF_WRITE_CHECKPOINT_FIXTURES";

    private static string Fixtures => Path.GetFullPath(Path.Combine(PythonTorchFactAttribute.Folder, "..", "tests", "Dwf.Robustness.Tests", "Persistence", "Fixtures"));

    /// <summary>Two epochs of two batches; cancelled after <paramref name="cancelAfterBatches"/> batches when given.</summary>
    private static TrainingResult Train(string phase, Dwf.Robustness.Data.ImageDataset data, string path, int? cancelAfterBatches)
    {
        using var cancel = new CancellationTokenSource();
        int seen = 0;
        var progress = new SyncProgress<TrainingProgress>(_ =>
        {
            if (++seen >= cancelAfterBatches)
            {
                cancel.Cancel();
            }
        });
        if (phase == "joint")
        {
            using var mixture = TinyMixture.Create(experts: 2, seed: 1);
            return new JointTrainer(JointTrainerTests.TinyOptions(epochs: 2)).Fit(mixture, SyntheticDataset.Loader(data), path, progress, cancel.Token);
        }

        if (phase == "soe")
        {
            using var soe = Defenses.Soe.SynergyOfExpertsTests.Tiny(members: 2, seed: 1);
            var soeOptions = new SoeTrainingOptions { Epochs = 2, Attack = new Pgd(0.03, 0.01, steps: 2), Optimizer = new OptimizerOptions { LearningRate = 0.05 }, Seed = 3 };
            return new SoeTrainer(soeOptions).Fit(soe, SyntheticDataset.Loader(data), path, progress, cancel.Token);
        }

        if (phase == "advmoe")
        {
            using var advMoe = Defenses.AdvMoe.AdvMoeResNet18Tests.Tiny(experts: 2, seed: 1);
            var advMoeOptions = new AdvMoeTrainingOptions
            {
                Epochs = 2, Epsilon = 0.03, StepSize = 0.01, Steps = 2, Seed = 3,
                Experts = new OptimizerOptions { LearningRate = 0.05 }, Router = new OptimizerOptions { LearningRate = 0.05 },
            };
            return new AdvMoeTrainer(advMoeOptions).Fit(advMoe, SyntheticDataset.Loader(data), path, progress, cancel.Token);
        }

        using var model = new TinyCnn(4, seed: 1);
        var options = phase == "trades"
            ? new ExpertTrainingOptions
            {
                Epochs = 2, Optimizer = new OptimizerOptions { LearningRate = 0.05 }, Seed = 3,
                Attack = new TradesAttack(0.03, 0.01, steps: 2), Objective = TrainingObjective.Trades(),
            }
            : new ExpertTrainingOptions { Epochs = 2, Optimizer = new OptimizerOptions { LearningRate = 0.05 } };
        return new ExpertTrainer(options).Fit(new Expert(model, "x", 4), SyntheticDataset.Loader(data), path, progress, cancel.Token);
    }

    [Theory]
    [InlineData("joint")]
    [InlineData("expert")]
    [InlineData("trades")]
    [InlineData("soe")]
    [InlineData("advmoe")]
    public void Fit_CheckpointCommittedBefore_ResumesWithTodaysCode(string phase)
    {
        string committed = Path.Combine(Fixtures, $"{phase}-epoch1-of-2.ckpt");
        using var dir = new TempDirectory();
        using var data = SyntheticDataset.Create(64);
        string path = dir.File("run.ckpt");
        if (Environment.GetEnvironmentVariable(WriteVariable) == "1")
        {
            var write = () => Train(phase, data, path, cancelAfterBatches: 2); // 64 images / 32: stop after epoch 1
            write.Should().Throw<OperationCanceledException>();
            Directory.CreateDirectory(Fixtures);
            File.Copy(path, committed, overwrite: true);
            throw new Xunit.Sdk.XunitException($"Wrote {committed}; commit it and run again without {WriteVariable}.");
        }

        File.Exists(committed).Should().BeTrue($"the committed checkpoint {committed} must exist (regenerate with {WriteVariable}=1 only when the format changes on purpose)");
        File.Copy(committed, path);

        var result = Train(phase, data, path, cancelAfterBatches: null);

        result.ResumedFromEpoch.Should().Be(1, "the committed checkpoint holds epoch 1 of 2");
        result.History.Should().HaveCount(2);
    }
}
