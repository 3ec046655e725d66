namespace Dwf.Robustness.Persistence;

/// <summary>What a saved model file holds.</summary>
public enum ModelKind
{
    /// <summary>One expert.</summary>
    Expert,

    /// <summary>A mixture of experts with its gate.</summary>
    Mixture,

    /// <summary>A Synergy-of-Experts model (<see cref="ModelManifest.Soe"/> describes it).</summary>
    SynergyOfExperts,

    /// <summary>An ADVMoE network (<see cref="ModelManifest.AdvMoe"/> describes it).</summary>
    AdvMoe,
}
