using Dwf.Robustness.Tests.TestSupport;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Attacks;

/// <summary>A TinyCnn trained once (about a second) on synthetic 4-class data, with held-out test images.</summary>
public sealed class TrainedModelFixture : IDisposable
{
    public TrainedModelFixture()
    {
        var (images, labels) = SyntheticImages.Make(768, classes: 4, seed: 7);
        Model = new TinyCnn(classes: 4, seed: 3);
        TrainImages = images.narrow(0, 0, 512).DetachFromDisposeScope();
        TrainLabels = labels.narrow(0, 0, 512).DetachFromDisposeScope();
        TestImages = images.narrow(0, 512, 256).DetachFromDisposeScope();
        TestLabels = labels.narrow(0, 512, 256).DetachFromDisposeScope();
        QuickTrain.Fit(Model, TrainImages, TrainLabels, epochs: 30);
    }

    internal TinyCnn Model { get; }

    public Tensor TrainImages { get; }

    public Tensor TrainLabels { get; }

    public Tensor TestImages { get; }

    public Tensor TestLabels { get; }

    public void Dispose()
    {
        Model.Dispose();
        TrainImages.Dispose();
        TrainLabels.Dispose();
        TestImages.Dispose();
        TestLabels.Dispose();
    }
}
