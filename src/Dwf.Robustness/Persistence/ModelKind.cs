namespace Dwf.Robustness.Persistence;

/// <summary>What a saved model file holds.</summary>
public enum ModelKind
{
    /// <summary>One expert.</summary>
    Expert,

    /// <summary>A mixture of experts with its gate.</summary>
    Mixture,
}
