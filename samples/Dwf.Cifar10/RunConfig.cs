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

    // Joint phase (phase 2)
    public int JointEpochs { get; init; } = 100;
    public int? JointPerClass { get; init; }
    public double GateLearningRate { get; init; } = 0.1;
    public double JointExpertLearningRate { get; init; } = 0.01;
    public double GateEntropyWeight { get; init; }
    public bool FrozenAblation { get; init; } = true;

    // Evaluation
    public int? EvalPerClass { get; init; }
    public IReadOnlyList<double> EvalFgsmEpsilons { get; init; } = [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 8.0 / 255];
    public IReadOnlyList<int> EvalPgdSteps { get; init; } = [10, 20, 50];
    public int EvalBatchSize { get; init; } = 250;

    /// <summary>PGD step size for k iterations (ours): 2/255, or 2.5·ε/k when that is larger, so short PGD can still cross the ε-ball.</summary>
    public double PgdStepFor(int steps) => Math.Max(2.0 / 255, 2.5 * PgdEpsilon / steps);
}
