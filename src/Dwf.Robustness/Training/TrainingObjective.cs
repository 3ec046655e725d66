using System.Globalization;
using Dwf.Robustness.Attacks;
using static TorchSharp.torch;

namespace Dwf.Robustness.Training;

/// <summary>
/// What a trainer minimizes, as data (it is part of a checkpoint's fingerprint): <see cref="CrossEntropy"/> (the
/// default) or <see cref="Trades(double)"/>. A new objective is a new <see cref="TrainingObjectiveKind"/> and a case in
/// the trainers' step.
/// </summary>
public sealed record TrainingObjective
{
    /// <summary>TRADES's β for CIFAR-10 in its paper (and ADVMoE's): 6.</summary>
    public const double TradesPaperBeta = 6.0;

    /// <summary>Which objective.</summary>
    public TrainingObjectiveKind Kind { get; init; }

    /// <summary>TRADES's weight of the KL term; unused by cross-entropy.</summary>
    public double Beta { get; init; }

    /// <summary>Plain cross-entropy.</summary>
    public static TrainingObjective CrossEntropy { get; } = new();

    /// <summary>TRADES with weight <paramref name="beta"/>.</summary>
    /// <param name="beta">KL weight, finite and ≥ 0 (6 in the TRADES paper for CIFAR-10).</param>
    /// <returns>The objective.</returns>
    public static TrainingObjective Trades(double beta = TradesPaperBeta) => new TrainingObjective { Kind = TrainingObjectiveKind.Trades, Beta = beta }.Validated();

    /// <summary>A short name for logs, e.g. <c>TRADES(β=6)</c>.</summary>
    public string Name => Kind == TrainingObjectiveKind.Trades ? $"TRADES(β={Beta.ToString("0.###", CultureInfo.InvariantCulture)})" : "CE";

    /// <summary>Throws <see cref="ArgumentException"/> naming the invalid setting.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind))
        {
            throw new ArgumentException($"Unknown objective {Kind}; use one of {string.Join(", ", Enum.GetNames<TrainingObjectiveKind>())}.", nameof(Kind));
        }

        if (!double.IsFinite(Beta) || Beta < 0)
        {
            throw new ArgumentException($"The TRADES weight β must be finite and ≥ 0; got {Beta.ToString(CultureInfo.InvariantCulture)}.", nameof(Beta));
        }
    }

    /// <summary>
    /// TRADES's loss: mean over the batch of CE(z, y) + β · KL(softmax(z) ‖ softmax(z′)) (the clean prediction is not
    /// detached, as in the reference implementation: both terms train the clean output).
    /// </summary>
    /// <param name="cleanLogits">[B,K] logits on the clean images (train mode).</param>
    /// <param name="adversarialLogits">[B,K] logits on x′.</param>
    /// <param name="labels">int64 [B].</param>
    /// <param name="beta">KL weight.</param>
    /// <param name="labelSmoothing">Label smoothing of the CE term.</param>
    /// <returns>The scalar loss.</returns>
    public static Tensor TradesLoss(Tensor cleanLogits, Tensor adversarialLogits, Tensor labels, double beta, double labelSmoothing = 0)
    {
        ArgumentNullException.ThrowIfNull(cleanLogits);
        ArgumentNullException.ThrowIfNull(adversarialLogits);
        ArgumentNullException.ThrowIfNull(labels);
        using var scope = NewDisposeScope();
        var ce = nn.functional.cross_entropy(cleanLogits, labels, label_smoothing: labelSmoothing);
        var kl = TradesAttack.KlPerSample(nn.functional.log_softmax(cleanLogits, 1), adversarialLogits).mean();
        return (ce + beta * kl).MoveToOuterDisposeScope();
    }

    private TrainingObjective Validated()
    {
        Validate();
        return this;
    }
}
