namespace Dwf.Robustness.Persistence;

/// <summary>The expert networks a model manifest can describe and rebuild.</summary>
public enum ExpertArchitecture
{
    /// <summary><see cref="Experts.ResNet18"/>: CIFAR ResNet-18 with a width multiplier.</summary>
    ResNet18,

    /// <summary><see cref="Experts.PreActResNet18"/>: PreAct ResNet-18, the architecture of many public robust CIFAR-10 checkpoints.</summary>
    PreActResNet18,
}
