using Dwf.Robustness.Defaults;

namespace Dwf.Cifar10;

/// <summary>SoE's settings in a run (config.json <c>Soe</c>; <c>--set Soe.Experts=3</c>; the flat <c>SoeExperts</c> of older versions still works). Ours unless <see cref="SoeDefaults"/> says they are its paper's.</summary>
public sealed record SoeSettings
{
    /// <summary>Experts (theirs: 3).</summary>
    public int Experts { get; init; } = SoeDefaults.Experts;

    /// <summary>Depth of each CIFAR ResNet expert (theirs: 20).</summary>
    public int Depth { get; init; } = SoeDefaults.Depth;

    /// <summary>Width multiplier of each expert.</summary>
    public double Width { get; init; } = 1.0;

    /// <summary>PGD iterations of its training attack (theirs: 10, the paper preset's); unset: the DWF PGD experts' mean, rounded (<see cref="RunConfig.BaselineSteps"/>).</summary>
    public int? PgdSteps { get; init; }

    /// <summary>Epochs; unset: the DWF pipeline's forward/backward passes.</summary>
    public int? Epochs { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the settings when one cannot work.</summary>
    public void Validate()
    {
        if (!(Experts >= 2 && Depth >= 8 && (Depth - 2) % 6 == 0 && Width > 0 && double.IsFinite(Width) && PgdSteps is null or >= 1 && Epochs is null or >= 1))
        {
            throw new ArgumentException($"SoE needs Soe.Experts ≥ 2, Soe.Depth 6n+2, Soe.Width > 0, Soe.PgdSteps ≥ 1 and Soe.Epochs ≥ 1 or unset; got {Experts}, {Depth}, {Width}, {PgdSteps}, {Epochs}.");
        }
    }
}

/// <summary>SoE's part of a run's settings, declared here so that a defense's settings live beside its recipe.</summary>
public sealed partial record RunConfig
{
    /// <summary>SoE's settings (<see cref="SoeSettings"/>).</summary>
    public SoeSettings Soe { get; init; } = new();
}
