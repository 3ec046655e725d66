namespace Dwf.Robustness.Defaults;

/// <summary>
/// Synergy-of-Experts (Cui et al., NeurIPS 2022; code: cuis15/synergy-of-experts): the values its paper and code use,
/// and ours where they are silent (marked). docs/paper-vs-ours.md lists them.
/// </summary>
public static class SoeDefaults
{
    /// <summary>Experts: 3 (their default).</summary>
    public const int Experts = 3;

    /// <summary>Depth of their CIFAR ResNet experts: 20.</summary>
    public const int Depth = 20;

    /// <summary>Weight λ of the confidence head's BCE term: 1.</summary>
    public const double ConfidenceWeight = 1.0;

    /// <summary>PGD iterations of the training attack against the whole collaborative model: 10.</summary>
    public const int TrainingPgdSteps = 10;

    /// <summary>Temperature of the soft-selection surrogate of the adaptive attack (ours): 0.1. The selection scores are
    /// in [0,1], so 0.1 keeps the surrogate close to the hard choice while its gradient still reaches every expert.</summary>
    public const double SurrogateTemperature = 0.1;
}
