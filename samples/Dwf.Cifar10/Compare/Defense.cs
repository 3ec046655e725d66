namespace Dwf.Cifar10.Compare;

/// <summary>The defenses <c>compare</c> knows, one per entry of <see cref="DefenseRecipes.All"/>; <see cref="RunConfig.CompareDefenses"/> selects among them.</summary>
public enum Defense
{
    /// <summary>DWF: experts pre-trained, then gate and experts trained jointly (the paper's method; every other defense is compared with it).</summary>
    Dwf,

    /// <summary>The same experts with only the gate trained (the frozen vs joint ablation).</summary>
    FrozenExperts,

    /// <summary>One PGD-AT ResNet-18 given the DWF pipeline's compute.</summary>
    PgdAt,

    /// <summary>One TRADES ResNet-18 given the DWF pipeline's compute.</summary>
    Trades,

    /// <summary>SoE (Cui et al., 2022).</summary>
    Soe,

    /// <summary>ADVMoE (Zhang et al., 2023).</summary>
    AdvMoe,
}
