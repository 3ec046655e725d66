namespace Dwf.Cifar10.Compare;

/// <summary>The defenses <c>compare</c> trains and evaluates with one plan on the same images, DWF first (the others are compared with it).</summary>
public static class DefenseRecipes
{
    public static IReadOnlyList<DefenseRecipe> All { get; } =
    [
        new(Defense.Dwf, Pipeline.DwfModel, "DWF (joint)", (p, _) =>
        {
            p.Pretrain();
            p.Joint(frozen: false);
        }),
        new(Defense.FrozenExperts, Pipeline.FrozenModel, "frozen-expert mixture", (p, _) =>
        {
            p.Pretrain();
            p.Joint(frozen: true);
        }),
        new(Defense.PgdAt, Pipeline.EqualComputeControl, "PGD-AT ResNet-18, equal compute (control b)", (p, _) => p.EqualCompute()),
        new(Defense.Trades, Pipeline.TradesModel, "TRADES ResNet-18, equal compute", (p, i) => p.TrainTrades(i)),
        new(Defense.Soe, Pipeline.SoeModel, "SoE (ResNet-20 experts)", (p, i) => p.TrainSoe(i)),
        new(Defense.AdvMoe, Pipeline.AdvMoeModel, "ADVMoE (MoE ResNet-18)", (p, i) => p.TrainAdvMoe(i)),
    ];

    /// <summary>
    /// The entries <paramref name="config"/> selects (<see cref="RunConfig.CompareDefenses"/>), each with its position in
    /// <see cref="All"/>: the position seeds a defense's training, so leaving others out does not change it.
    /// </summary>
    public static IReadOnlyList<(DefenseRecipe Recipe, int Index)> Selected(RunConfig config) =>
        All.Select((d, i) => (d, i)).Where(x => config.CompareDefenses.Contains(x.d.Kind)).ToList();
}
