namespace Dwf.Robustness.Attacks;

/// <summary>The norm that bounds a perturbation.</summary>
public enum ThreatModel
{
    /// <summary>‖δ‖∞ ≤ ε: every pixel value moves by at most ε.</summary>
    Linf,
}
