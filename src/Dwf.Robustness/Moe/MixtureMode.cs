namespace Dwf.Robustness.Moe;

/// <summary>How a mixture combines its experts' outputs. The paper does not say; <see cref="Logits"/> is our default.</summary>
public enum MixtureMode
{
    /// <summary>Σᵢ wᵢ · logitsᵢ, returned as logits.</summary>
    Logits,

    /// <summary>log Σᵢ wᵢ · softmax(logitsᵢ): the log of the mixture distribution, usable as logits by cross-entropy and attacks.</summary>
    Probabilities,
}
