namespace Dwf.Robustness.Defaults;

/// <summary>
/// ADVMoE (Zhang et al., "Robust Mixture-of-Expert Training for Convolutional Neural Networks", ICCV 2023; code:
/// OPTML-Group/Robust-MoE-CNN): the values of its reference code (<c>args.py</c>, <c>train_moe.py</c>), and ours where
/// it has none (marked). docs/paper-vs-ours.md lists them.
/// </summary>
public static class AdvMoeDefaults
{
    /// <summary>Experts (channel groups) per MoE layer (ours: the reference requires <c>--n-expert</c>): 2.</summary>
    public const int Experts = 2;

    /// <summary>Width ratio of an expert to the dense layer (ours: the reference's default is 1.0; 0.5 keeps the MoE model's compute per image that of the dense network at half width): 0.5.</summary>
    public const double Ratio = 0.5;

    /// <summary>TRADES weight β of the expert step and of the router's robustness term: 6.</summary>
    public const double Beta = 6.0;

    /// <summary>Weight α of the router's class-to-expert cross-entropy (class y to expert y mod n): 6.</summary>
    public const double RouterAlpha = 6.0;

    /// <summary>PGD steps of the training attack: 2.</summary>
    public const int TrainingSteps = 2;

    /// <summary>Step size of the training attack in [0,1] units: 5/255.</summary>
    public const double TrainingStepSize = 5.0 / 255.0;

    /// <summary>Epochs: 100.</summary>
    public const int Epochs = 100;
}
