namespace Dwf.Robustness.Persistence;

/// <summary>The member networks a Synergy-of-Experts manifest (<see cref="SoeManifest"/>) can describe.</summary>
public enum SoeMemberArchitecture
{
    /// <summary><see cref="Experts.CifarResNet"/> of depth 6n + 2 (SoE's paper: ResNet-20).</summary>
    CifarResNet,

    /// <summary><see cref="Experts.ResNet18"/> (the DWF experts' architecture).</summary>
    ResNet18,
}
