using Dwf.Robustness.Data;
using Dwf.Robustness.Tests.Attacks;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Evaluation;

/// <summary>The trained tiny model of the attack tests plus its test images as a uint8 dataset.</summary>
public sealed class EvaluationFixture : IDisposable
{
    public EvaluationFixture()
    {
        Trained = new TrainedModelFixture();
        using var scope = NewDisposeScope();
        TestSet = new ImageDataset((Trained.TestImages * 255).round().to(ScalarType.Byte), Trained.TestLabels.clone(), ["a", "b", "c", "d"]);
    }

    public TrainedModelFixture Trained { get; }

    public ImageDataset TestSet { get; }

    public void Dispose()
    {
        TestSet.Dispose();
        Trained.Dispose();
    }
}
