using Dwf.Robustness.Attacks;
using Dwf.Robustness.Data;
using Dwf.Robustness.Evaluation;
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

    /// <summary>
    /// A sweep (FGSM, PGD-3 with a random start) and a cascade (APGD-CE, then APGD-T on its survivors) in batches of 32
    /// and blocks of 2 batches: random starts and packed survivors, so any change in seeding, packing or kernels
    /// between two evaluations shows in their outcomes.
    /// </summary>
    public static EvaluationOptions SweepAndCascade => new()
    {
        Plan = new EvaluationPlan("p",
        [
            new EvaluationStage("sweep", StageKind.Sweep, [new Fgsm(0.03), new Pgd(0.05, 0.0125, steps: 3)]),
            new EvaluationStage("cascade", StageKind.Cascade, [new Apgd(0.05, steps: 4), Apgd.TargetedDlr(0.05, 2, steps: 3)]),
        ]),
        BatchSize = 32,
        BatchesPerBlock = 2,
        Seed = 5,
    };

    public ImageDataset TestSet { get; }

    public void Dispose()
    {
        TestSet.Dispose();
        Trained.Dispose();
    }
}
