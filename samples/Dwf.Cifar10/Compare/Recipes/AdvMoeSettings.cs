using Dwf.Robustness.Defaults;

namespace Dwf.Cifar10;

/// <summary>ADVMoE's settings in a run (config.json <c>AdvMoe</c>; <c>--set AdvMoe.Steps=2</c>; the flat <c>AdvMoeSteps</c> of older versions still works). Ours unless <see cref="AdvMoeDefaults"/> says they are its paper's.</summary>
public sealed record AdvMoeSettings
{
    /// <summary>Channel groups per MoE layer.</summary>
    public int Experts { get; init; } = AdvMoeDefaults.Experts;

    /// <summary>An expert's share of the dense width.</summary>
    public double Ratio { get; init; } = AdvMoeDefaults.Ratio;

    /// <summary>PGD steps of its training attack (theirs: 2).</summary>
    public int Steps { get; init; } = AdvMoeDefaults.TrainingSteps;

    /// <summary>Epochs; unset: the DWF pipeline's forward/backward passes.</summary>
    public int? Epochs { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the settings when one cannot work.</summary>
    public void Validate()
    {
        if (!(Experts >= 2 && Ratio > 0 && Ratio <= 1 && Steps >= 1 && Epochs is null or >= 1))
        {
            throw new ArgumentException($"ADVMoE needs AdvMoe.Experts ≥ 2, AdvMoe.Ratio in (0,1], AdvMoe.Steps ≥ 1 and AdvMoe.Epochs ≥ 1 or unset; got {Experts}, {Ratio}, {Steps}, {Epochs}.");
        }
    }
}

/// <summary>ADVMoE's part of a run's settings, declared here so that a defense's settings live beside its recipe.</summary>
public sealed partial record RunConfig
{
    /// <summary>ADVMoE's settings (<see cref="AdvMoeSettings"/>).</summary>
    public AdvMoeSettings AdvMoe { get; init; } = new();
}
