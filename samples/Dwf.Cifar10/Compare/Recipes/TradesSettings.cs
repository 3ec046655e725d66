using Dwf.Robustness.Training;

namespace Dwf.Cifar10;

/// <summary>TRADES's settings in a run (config.json <c>Trades</c>; <c>--set Trades.Beta=6</c>; the flat <c>TradesBeta</c> of older versions still works).</summary>
public sealed record TradesSettings
{
    /// <summary>β (theirs: 6).</summary>
    public double Beta { get; init; } = TrainingObjective.TradesPaperBeta;

    /// <summary>Steps of its KL attack (theirs: 10, the paper preset's); unset: the DWF PGD experts' mean, rounded (<see cref="RunConfig.BaselineSteps"/>). The step for k steps is <see cref="RunConfig.PgdStepFor"/>.</summary>
    public int? Steps { get; init; }

    /// <summary>Epochs; unset: the DWF pipeline's forward/backward passes.</summary>
    public int? Epochs { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the settings when one cannot work.</summary>
    public void Validate()
    {
        if (!(Beta >= 0 && double.IsFinite(Beta) && Steps is null or >= 1 && Epochs is null or >= 1))
        {
            throw new ArgumentException($"TRADES needs Trades.Beta ≥ 0, Trades.Steps ≥ 1 and Trades.Epochs ≥ 1 or unset; got {Beta}, {Steps}, {Epochs}.");
        }
    }
}

/// <summary>TRADES's part of a run's settings, declared here so that a defense's settings live beside its recipe.</summary>
public sealed partial record RunConfig
{
    /// <summary>TRADES's settings (<see cref="TradesSettings"/>).</summary>
    public TradesSettings Trades { get; init; } = new();
}
