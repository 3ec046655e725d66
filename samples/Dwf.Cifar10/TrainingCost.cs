using Dwf.Robustness.Experts;

namespace Dwf.Cifar10;

/// <summary>What training a model cost: forward/backward passes of one expert-sized network per image, and seconds.</summary>
/// <param name="Passes">Per-image forward+backward passes through one expert (an attack step is one, a training step is one; a mixture step counts every expert).</param>
/// <param name="Seconds">Wall-clock seconds of the training epochs (resumed epochs included).</param>
public sealed record TrainingCost(double Passes, double Seconds)
{
    /// <summary>Attack iterations of one batch of an expert of <paramref name="kind"/>: 0 clean, 1 FGSM, the mean drawn PGD iteration count.</summary>
    public static double AttackSteps(RunConfig c, ExpertKind kind) => kind switch
    {
        ExpertKind.Clean => 0,
        ExpertKind.Fgsm => 1,
        ExpertKind.Pgd => c.MeanPgdTrainSteps,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "No training attack is known for this kind."),
    };

    /// <summary>
    /// Passes of pre-training one expert: per image and epoch, the attack's steps plus one training step (two when
    /// clean and adversarial images are mixed, as the batch doubles). Forward-only accuracy probes are not counted.
    /// </summary>
    public static double Expert(RunConfig c, ExpertKind kind, int images, int epochs) =>
        (double)images * epochs * (AttackSteps(c, kind) + (kind != ExpertKind.Clean && c.ExpertMixClean ? 2 : 1));

    /// <summary>
    /// Passes of the joint phase on <paramref name="experts"/> experts: every forward/backward through the mixture goes
    /// through every expert; per image, one training step plus one FGSM step on the FGSM share and the mean PGD
    /// iterations on the PGD share. The gate (a small CNN) and its forward-only BatchNorm warm-up are not counted.
    /// </summary>
    public static double Joint(RunConfig c, int experts, int images, int epochs) =>
        (double)images * epochs * experts * (1 + c.Joint.FgsmShare + c.Joint.PgdShare * c.MeanPgdTrainSteps);

    /// <summary>Epochs of one PGD expert on <paramref name="images"/> images that cost <paramref name="passes"/> (rounded to the nearest, at least 1).</summary>
    public static int EqualComputeEpochs(RunConfig c, double passes, int images) =>
        Math.Max(1, (int)Math.Round(passes / Expert(c, ExpertKind.Pgd, images, 1)));
}
