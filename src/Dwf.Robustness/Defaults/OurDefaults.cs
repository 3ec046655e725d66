namespace Dwf.Robustness.Defaults;

/// <summary>
/// The library's choices where the paper is silent (docs/paper-vs-ours.md says why each was chosen). Every such
/// default of the library refers to a member here.
/// </summary>
public static class OurDefaults
{
    /// <summary>PGD step size in [0,1] pixel units: 2/255, the common CIFAR-10 choice.</summary>
    public const double PgdStepSize = 2.0 / 255.0;

    /// <summary>SGD learning rate of expert pre-training and of the gate: 0.1.</summary>
    public const double LearningRate = 0.1;

    /// <summary>SGD learning rate of the experts in the joint phase (they start pre-trained): 0.01.</summary>
    public const double JointExpertLearningRate = 0.01;

    /// <summary>SGD momentum: 0.9.</summary>
    public const double Momentum = 0.9;

    /// <summary>Weight decay: 5e-4.</summary>
    public const double WeightDecay = 5e-4;

    /// <summary>Training batch size: 128.</summary>
    public const int BatchSize = 128;

    /// <summary>Zero padding before the random 32×32 crop: 4 pixels.</summary>
    public const int CropPadding = 4;

    /// <summary>Channels of the soft gate's first stage (then ×2, ×4): 16.</summary>
    public const int GateWidth = 16;

    /// <summary>Largest joint-phase multiplier of an expert's rate under inverse-gate-weight scaling: 9 (nine experts under a uniform gate).</summary>
    public const double MaxExpertRateScale = 9;

    /// <summary>Clean batches that warm the gate's BatchNorm statistics before the first joint attack: 20.</summary>
    public const int GateWarmupBatches = 20;

    /// <summary>Evaluation batch size: 250.</summary>
    public const int EvaluationBatchSize = 250;

    /// <summary>Batches per evaluation block (the unit of packing, seeding and sharding): 4, i.e. 1,000 images at the default batch size.</summary>
    public const int EvaluationBatchesPerBlock = 4;

    /// <summary>PGD iteration counts of the evaluation sweep: 10, 20, 50.</summary>
    public static IReadOnlyList<int> EvaluationPgdSteps { get; } = [10, 20, 50];

    /// <summary>CIFAR-10 training-set channel means (R, G, B), the input normalization inside every default model.</summary>
    public static IReadOnlyList<double> Cifar10Mean { get; } = [0.4914, 0.4822, 0.4465];

    /// <summary>CIFAR-10 training-set channel standard deviations (R, G, B).</summary>
    public static IReadOnlyList<double> Cifar10Std { get; } = [0.2470, 0.2435, 0.2616];
}
