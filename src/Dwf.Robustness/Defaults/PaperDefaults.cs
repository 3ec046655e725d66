namespace Dwf.Robustness.Defaults;

/// <summary>
/// Values stated in "Divided We Fall" (arXiv 2512.20821) for CIFAR-10. Every default of the library that comes from
/// the paper refers to a member here; <see cref="OurDefaults"/> holds the choices the paper leaves open.
/// </summary>
public static class PaperDefaults
{
    /// <summary>Clean experts in the line-up: 1.</summary>
    public const int CleanExperts = 1;

    /// <summary>FGSM-trained experts: 4.</summary>
    public const int FgsmExperts = 4;

    /// <summary>PGD-trained experts: 4.</summary>
    public const int PgdExperts = 4;

    /// <summary>Pre-training epochs of every expert: 150.</summary>
    public const int ExpertEpochs = 150;

    /// <summary>Epochs of the joint phase: 100.</summary>
    public const int JointEpochs = 100;

    /// <summary>The L∞ budget of the paper's PGD evaluation, 8/255 in [0,1] pixel units.</summary>
    public const double PgdEpsilon = 8.0 / 255.0;

    /// <summary>Iterations of the paper's headline PGD evaluation: 20.</summary>
    public const int EvaluationPgdSteps = 20;

    /// <summary>FGSM budget of the paper's headline FGSM result: 0.09.</summary>
    public const double HeadlineFgsmEpsilon = 0.09;

    /// <summary>The FGSM ε set the FGSM experts draw from per batch (and the paper evaluates on): 0.01, 0.02, …, 0.09.</summary>
    public static IReadOnlyList<double> FgsmEpsilons { get; } = [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09];

    /// <summary>The PGD iteration counts the PGD experts draw from per batch: 10, 20, 30, 40, 50.</summary>
    public static IReadOnlyList<int> PgdTrainingSteps { get; } = [10, 20, 30, 40, 50];
}
