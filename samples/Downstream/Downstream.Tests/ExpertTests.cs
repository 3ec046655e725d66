using Dwf.Robustness.Experts;
using Dwf.Robustness.Testing;
using Dwf.Robustness.Training;
using static TorchSharp.torch;

namespace Downstream.Tests;

public class ExpertTests
{
    [Fact]
    public void Expert_WrappingACustomModule_GivesOneLogitPerClass()
    {
        using var scope = NewDisposeScope();
        var expert = new Expert(new TwoLayerNet(classes: 4, seed: 1), "mine", numClasses: 4);
        var (images, _) = SyntheticImages.Make(5);

        var logits = expert.Module.call(images);

        Assert.Equal(new long[] { 5, 4 }, logits.shape);
        Assert.Equal(ExpertKind.Custom, expert.Kind);
    }

    [Fact]
    public void ExpertTrainer_CustomExpert_LearnsTheSyntheticClassesAndReportsEveryEpoch()
    {
        using var data = SyntheticDataset.Create(256);
        var expert = new Expert(new TwoLayerNet(classes: 4, seed: 2), "mine", numClasses: 4);
        var epochs = new List<int>();

        var result = new ExpertTrainer(new ExpertTrainingOptions { Epochs = 3 })
            .Fit(expert, SyntheticDataset.Loader(data), progress: new SyncProgress<TrainingProgress>(p =>
            {
                if (p.CompletedEpoch is { } done)
                {
                    epochs.Add(done.Epoch);
                }
            }), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(new[] { 1, 2, 3 }, epochs);
        Assert.True(result.History[^1].CleanAccuracy > 0.5, $"clean accuracy after 3 epochs {result.History[^1].CleanAccuracy:P1}; chance is 25%");
        expert.Module.Dispose();
    }
}
