using Dwf.Robustness.Defaults;

namespace Dwf.Robustness.Training;

/// <summary>
/// SGD settings. The paper does not state its optimizer; these defaults are ours (the usual CIFAR-10 ResNet recipe):
/// SGD, learning rate 0.1, momentum 0.9, weight decay 5e-4, cosine decay, no warm-up.
/// </summary>
public sealed record OptimizerOptions
{
    /// <summary>Base learning rate; default 0.1.</summary>
    public double LearningRate { get; init; } = OurDefaults.LearningRate;

    /// <summary>SGD momentum; default 0.9.</summary>
    public double Momentum { get; init; } = OurDefaults.Momentum;

    /// <summary>Nesterov momentum; default false.</summary>
    public bool Nesterov { get; init; }

    /// <summary>L2 weight decay; default 5e-4.</summary>
    public double WeightDecay { get; init; } = OurDefaults.WeightDecay;

    /// <summary>Schedule after warm-up; default cosine.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Cosine;

    /// <summary>Epochs of warm-up: linear from 0 to the base rate (for <see cref="LearningRateSchedule.OneCycle"/>: its rising
    /// half cosine from base/25); default 0.</summary>
    public double WarmupEpochs { get; init; }

    /// <summary>
    /// Whether weight decay also applies to one-dimensional parameters (BatchNorm weights and biases, every bias);
    /// default true (ours, the plain PyTorch <c>SGD(model.parameters(), weight_decay=…)</c>). False puts them in a
    /// second parameter group without decay, the common "no decay on norm and bias" recipe.
    /// </summary>
    public bool DecayNormAndBias { get; init; } = true;

    /// <summary>
    /// The settings in one line, formatted the same in every culture: training checkpoints record it and refuse to
    /// resume with different settings.
    /// </summary>
    /// <returns>For example <c>SGD(lr=0.1, momentum=0.9, nesterov=False, weightDecay=0.0005, Cosine, warmup=0)</c>.</returns>
    public override string ToString() => FormattableString.Invariant(
        $"SGD(lr={LearningRate:R}, momentum={Momentum:R}, nesterov={Nesterov}, weightDecay={WeightDecay:R}, {Schedule}, warmup={WarmupEpochs:R}") +
        (DecayNormAndBias ? ")" : ", no decay on norm and bias)");

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    /// <param name="prefix">Prefix for the option name in messages (e.g. <c>Gate.</c>).</param>
    public void Validate(string prefix = "")
    {
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
        {
            throw new ArgumentException($"{prefix}LearningRate must be > 0; got {LearningRate}.", prefix + nameof(LearningRate));
        }

        if (!(Momentum >= 0 && Momentum < 1))
        {
            throw new ArgumentException($"{prefix}Momentum must be in [0,1); got {Momentum}.", prefix + nameof(Momentum));
        }

        if (Nesterov && Momentum == 0)
        {
            throw new ArgumentException($"{prefix}Nesterov needs Momentum > 0.", prefix + nameof(Nesterov));
        }

        if (!(WeightDecay >= 0))
        {
            throw new ArgumentException($"{prefix}WeightDecay must be ≥ 0; got {WeightDecay}.", prefix + nameof(WeightDecay));
        }

        if (!(WarmupEpochs >= 0))
        {
            throw new ArgumentException($"{prefix}WarmupEpochs must be ≥ 0; got {WarmupEpochs}.", prefix + nameof(WarmupEpochs));
        }

        if (!Enum.IsDefined(Schedule))
        {
            throw new ArgumentException($"{prefix}Schedule {Schedule} is not defined.", prefix + nameof(Schedule));
        }
    }

    /// <summary>The learning rate at a point of training.</summary>
    /// <param name="step">Zero-based global step (epoch × batches per epoch + batch).</param>
    /// <param name="totalSteps">Steps in the whole run.</param>
    /// <param name="stepsPerEpoch">Batches per epoch.</param>
    /// <returns>The rate to use for that step.</returns>
    public double RateAt(long step, long totalSteps, long stepsPerEpoch)
    {
        long warmup = (long)Math.Round(WarmupEpochs * stepsPerEpoch);
        if (Schedule == LearningRateSchedule.OneCycle)
        {
            double start = LearningRate / 25, end = start / 1e4;
            if (step < warmup)
            {
                return start + (LearningRate - start) * 0.5 * (1 - Math.Cos(Math.PI * step / warmup));
            }

            double fall = totalSteps <= warmup + 1 ? 1 : (double)(step - warmup) / (totalSteps - warmup - 1);
            return end + (LearningRate - end) * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(1, fall)));
        }

        if (step < warmup)
        {
            return LearningRate * (step + 1) / warmup;
        }

        if (Schedule == LearningRateSchedule.Constant || totalSteps <= warmup)
        {
            return LearningRate;
        }

        double progress = (double)(step - warmup) / (totalSteps - warmup);
        return LearningRate * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
