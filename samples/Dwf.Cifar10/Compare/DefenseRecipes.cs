namespace Dwf.Cifar10.Compare;

/// <summary>The defenses <c>compare</c> trains and evaluates with one plan on the same images, DWF first (the others are compared with it).</summary>
public static class DefenseRecipes
{
    public static IReadOnlyList<DefenseRecipe> All { get; } =
    [
        new(Pipeline.DwfModel, "DWF (joint)", (p, _) =>
        {
            p.Pretrain();
            p.Joint(frozen: false);
        }),
        new(Pipeline.FrozenModel, "frozen-expert mixture", (p, _) =>
        {
            p.Pretrain();
            p.Joint(frozen: true);
        }),
        new(Pipeline.EqualComputeControl, "PGD-AT ResNet-18, equal compute (control b)", (p, _) => p.EqualCompute()),
        new(Pipeline.TradesModel, "TRADES ResNet-18, equal compute", (p, i) => p.TrainTrades(i)),
        new(Pipeline.SoeModel, "SoE (ResNet-20 experts)", (p, i) => p.TrainSoe(i)),
        new(Pipeline.AdvMoeModel, "ADVMoE (MoE ResNet-18)", (p, i) => p.TrainAdvMoe(i)),
    ];
}
