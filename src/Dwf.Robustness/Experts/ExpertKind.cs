namespace Dwf.Robustness.Experts;

/// <summary>What an expert was trained for.</summary>
public enum ExpertKind
{
    /// <summary>Clean (benign) images only.</summary>
    Clean,

    /// <summary>FGSM adversarial examples (the paper: ε drawn per batch from 0.01–0.09).</summary>
    Fgsm,

    /// <summary>PGD adversarial examples (the paper: iterations drawn per batch from 10–50).</summary>
    Pgd,

    /// <summary>Anything else, e.g. a user's own model or FGSM with random start.</summary>
    Custom,
}
