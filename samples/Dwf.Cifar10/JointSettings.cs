using Dwf.Robustness.Defaults;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Training;

namespace Dwf.Cifar10;

/// <summary>
/// The joint phase's settings (config.json <c>Joint</c>; <c>--set Joint.GateEntropyWeight=0.01</c>), named as
/// <see cref="JointTrainingOptions"/> names them where they are its; the gate's architecture and the mixing mode beside
/// them. The joint optimizers are <see cref="RunConfig.GateOptimizer"/> and <see cref="RunConfig.JointExpertOptimizer"/>.
/// </summary>
public sealed record JointSettings
{
    /// <summary>Epochs; the paper uses 100 (<c>--joint-epochs</c>).</summary>
    public int Epochs { get; init; } = PaperDefaults.JointEpochs;

    /// <summary>Images per class of the joint phase, a part of the experts' training images; all of them when null.</summary>
    public int? PerClass { get; init; }

    /// <summary>Weight of the gate-entropy bonus (<see cref="JointTrainingOptions.GateEntropyWeight"/>); 0: none.</summary>
    public double GateEntropyWeight { get; init; }

    /// <summary>Also train the frozen-expert mixture (the joint vs frozen ablation).</summary>
    public bool FrozenAblation { get; init; } = true;

    /// <summary>Share of benign images in a batch.</summary>
    public double CleanShare { get; init; } = 1.0 / 3;

    /// <summary>Share of FGSM images in a batch.</summary>
    public double FgsmShare { get; init; } = 1.0 / 3;

    /// <summary>Share of PGD images in a batch.</summary>
    public double PgdShare { get; init; } = 1.0 / 3;

    /// <summary>Channels of the soft gate's first convolution.</summary>
    public int GateWidth { get; init; } = OurDefaults.GateWidth;

    /// <summary>The gate's softmax temperature.</summary>
    public double GateTemperature { get; init; } = 1.0;

    /// <summary>Keep only each image's k highest-scoring experts (<c>TopKGate</c>; ablation, ours); unset: the paper's soft gate over all.</summary>
    public int? GateTopK { get; init; }

    /// <summary>How the experts' outputs are mixed.</summary>
    public MixtureMode MixingMode { get; init; } = MixtureMode.Logits;

    /// <summary>Each expert's learning rate scaled by its mean gate weight (<see cref="JointTrainingOptions.ExpertRateScaling"/>).</summary>
    public ExpertRateScaling ExpertRateScaling { get; init; } = ExpertRateScaling.InverseGateWeight;

    /// <summary>Largest such scale.</summary>
    public double MaxExpertRateScale { get; init; } = OurDefaults.MaxExpertRateScale;

    /// <summary>Clean batches that warm the gate's BatchNorm statistics before the first step.</summary>
    public int GateWarmupBatches { get; init; } = OurDefaults.GateWarmupBatches;

    /// <summary>Label smoothing of the joint loss.</summary>
    public double LabelSmoothing { get; init; }
}
