namespace Dwf.Cifar10;

/// <summary>
/// Everything a run uses, resolved from a preset and the command-line flags, and saved as config.json in the run
/// folder. Values marked "paper" in <see cref="Presets"/> come from arXiv 2512.20821; the rest are ours.
/// </summary>
public sealed record RunConfig
{
    public required string Preset { get; init; }
    public required string Data { get; init; }
    public required string RunFolder { get; init; }
    public long Seed { get; init; }
    public string Device { get; init; } = "cpu";

    // Experts (phase 1)
    public double ExpertWidth { get; init; } = 1.0;
    public int CleanExperts { get; init; } = 1;
    public int FgsmExperts { get; init; } = 4;
    public int PgdExperts { get; init; } = 4;
    public int? TrainPerClass { get; init; }
    public int ExpertEpochs { get; init; } = 150;
    public int BatchSize { get; init; } = 128;
    public double ExpertLearningRate { get; init; } = 0.1;
    public IReadOnlyList<double> FgsmEpsilons { get; init; } = [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09];
    public IReadOnlyList<int> PgdTrainSteps { get; init; } = [10, 20, 30, 40, 50];
    public double PgdEpsilon { get; init; } = 8.0 / 255;
    public bool Augment { get; init; } = true;

    // Expert recipe (ours; the paper does not state its optimizer): defaults are the library's.
    public double ExpertMomentum { get; init; } = 0.9;
    public bool ExpertNesterov { get; init; }
    public double ExpertWeightDecay { get; init; } = 5e-4;
    public bool ExpertDecayNormAndBias { get; init; } = true;
    public Dwf.Robustness.Training.LearningRateSchedule ExpertSchedule { get; init; } = Dwf.Robustness.Training.LearningRateSchedule.Cosine;
    public double ExpertWarmupEpochs { get; init; }
    public double ExpertLabelSmoothing { get; init; }
    public bool ExpertMixClean { get; init; }
    public int? CleanExpertEpochs { get; init; }
    public int? FgsmExpertEpochs { get; init; }
    public int? PgdExpertEpochs { get; init; }
    public double? PgdTrainStepSize { get; init; }

    // Joint phase (phase 2)
    public int JointEpochs { get; init; } = 100;
    public int? JointPerClass { get; init; }
    public double GateLearningRate { get; init; } = 0.1;
    public double JointExpertLearningRate { get; init; } = 0.01;
    public double GateEntropyWeight { get; init; }
    public bool FrozenAblation { get; init; } = true;
    public double JointCleanShare { get; init; } = 1.0 / 3;
    public double JointFgsmShare { get; init; } = 1.0 / 3;
    public double JointPgdShare { get; init; } = 1.0 / 3;
    public int GateWidth { get; init; } = 16;
    public double GateTemperature { get; init; } = 1.0;
    public Dwf.Robustness.Moe.MixtureMode MixingMode { get; init; } = Dwf.Robustness.Moe.MixtureMode.Logits;
    public Dwf.Robustness.Training.ExpertRateScaling JointExpertRateScaling { get; init; } = Dwf.Robustness.Training.ExpertRateScaling.InverseGateWeight;
    public double JointMaxExpertRateScale { get; init; } = 9;
    public int GateWarmupBatches { get; init; } = 20;
    public double JointWarmupEpochs { get; init; }
    public bool JointNesterov { get; init; }
    public double JointLabelSmoothing { get; init; }

    // Evaluation
    public int? EvalPerClass { get; init; }
    public IReadOnlyList<double> EvalFgsmEpsilons { get; init; } = [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 8.0 / 255];
    public IReadOnlyList<int> EvalPgdSteps { get; init; } = [10, 20, 50];
    public int EvalBatchSize { get; init; } = 250;

    /// <summary>PGD step size for k iterations (ours): <see cref="PgdTrainStepSize"/> when set, else 2/255, or 2.5·ε/k when that is larger, so short PGD can still cross the ε-ball.</summary>
    public double PgdStepFor(int steps) => PgdTrainStepSize ?? Math.Max(2.0 / 255, 2.5 * PgdEpsilon / steps);

    /// <summary>Pre-training epochs of an expert of <paramref name="kind"/>: the per-kind setting, else <see cref="ExpertEpochs"/>.</summary>
    public int EpochsFor(Dwf.Robustness.Experts.ExpertKind kind) => kind switch
    {
        Dwf.Robustness.Experts.ExpertKind.Clean => CleanExpertEpochs,
        Dwf.Robustness.Experts.ExpertKind.Fgsm => FgsmExpertEpochs,
        Dwf.Robustness.Experts.ExpertKind.Pgd => PgdExpertEpochs,
        _ => null,
    } ?? ExpertEpochs;
}
