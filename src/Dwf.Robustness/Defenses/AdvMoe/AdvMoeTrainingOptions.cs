using Dwf.Robustness.Defaults;
using Dwf.Robustness.Training;

namespace Dwf.Robustness.Defenses.AdvMoe;

/// <summary>Training an <see cref="AdvMoeResNet18"/> (<see cref="AdvMoeTrainer"/>); defaults are the reference code's unless marked.</summary>
public sealed record AdvMoeTrainingOptions : ITrainingOptions
{
    /// <summary>Epochs: 100.</summary>
    public int Epochs { get; init; } = AdvMoeDefaults.Epochs;

    /// <summary>SGD of the experts (the backbone): lr 0.1, cosine.</summary>
    public OptimizerOptions Experts { get; init; } = new();

    /// <summary>SGD of the router: lr 0.1, cosine.</summary>
    public OptimizerOptions Router { get; init; } = new();

    /// <summary>TRADES weight β of both steps: 6.</summary>
    public double Beta { get; init; } = AdvMoeDefaults.Beta;

    /// <summary>Weight α of the router's cross-entropy towards expert (label mod experts): 6.</summary>
    public double RouterAlpha { get; init; } = AdvMoeDefaults.RouterAlpha;

    /// <summary>L∞ budget of the training attack: 8/255.</summary>
    public double Epsilon { get; init; } = PaperDefaults.PgdEpsilon;

    /// <summary>Step size of the training attack: 5/255.</summary>
    public double StepSize { get; init; } = AdvMoeDefaults.TrainingStepSize;

    /// <summary>Steps of the training attack: 2.</summary>
    public int Steps { get; init; } = AdvMoeDefaults.TrainingSteps;

    /// <summary>Seed of the attacks' random starts (the loader has its own seed).</summary>
    public long Seed { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (Epochs < 1)
        {
            throw new ArgumentException($"Epochs must be at least 1; got {Epochs}.", nameof(Epochs));
        }

        foreach (var (name, value) in new[] { (nameof(Beta), Beta), (nameof(RouterAlpha), RouterAlpha) })
        {
            if (!double.IsFinite(value) || value < 0)
            {
                throw new ArgumentException($"{name} must be finite and ≥ 0; got {value}.", name);
            }
        }

        if (!(Epsilon >= 0 && Epsilon <= 1))
        {
            throw new ArgumentException($"Epsilon must be in [0,1] pixel units; got {Epsilon}.", nameof(Epsilon));
        }

        if (!(StepSize > 0) || !double.IsFinite(StepSize))
        {
            throw new ArgumentException($"StepSize must be finite and > 0; got {StepSize}.", nameof(StepSize));
        }

        if (Steps < 1)
        {
            throw new ArgumentException($"Steps must be at least 1; got {Steps}.", nameof(Steps));
        }

        ArgumentNullException.ThrowIfNull(Experts, nameof(Experts));
        ArgumentNullException.ThrowIfNull(Router, nameof(Router));
        Experts.Validate(nameof(Experts) + ".");
        Router.Validate(nameof(Router) + ".");
    }
}
