using Dwf.Cifar10.Compare.Recipes;

namespace Dwf.Cifar10.Compare;

/// <summary>The defenses <c>compare</c> trains and evaluates with one plan on the same images, DWF first (the others are compared with it).</summary>
public static class DefenseRecipes
{
    public static IReadOnlyList<IDefenseRecipe> All { get; } =
        [new DwfRecipe(), new FrozenExpertsRecipe(), new PgdAtRecipe(), new TradesRecipe(), new SoeRecipe(), new AdvMoeRecipe()];

    /// <summary>
    /// The entries <paramref name="config"/> selects (<see cref="RunConfig.CompareDefenses"/>), each with its position in
    /// <see cref="All"/>: the position seeds a defense's training, so leaving others out does not change it.
    /// </summary>
    public static IReadOnlyList<(IDefenseRecipe Recipe, int Index)> Selected(RunConfig config) =>
        All.Select((d, i) => (d, i)).Where(x => config.CompareDefenses.Contains(x.d.Kind)).ToList();
}
