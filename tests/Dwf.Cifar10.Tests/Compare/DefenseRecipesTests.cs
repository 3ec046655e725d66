using Dwf.Cifar10.Compare;

namespace Dwf.Cifar10.Tests.Compare;

public class DefenseRecipesTests
{
    private static RunConfig Micro => Presets.Create("micro", "/data", "/run");

    [Fact]
    public void All_OneEntryPerDefense_InEnumOrderWithDwfFirst()
    {
        DefenseRecipes.All.Select(d => d.Kind).Should().Equal(Enum.GetValues<Defense>());
        DefenseRecipes.All.Select(d => d.Name).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Selected_Default_EveryDefense()
    {
        DefenseRecipes.Selected(Micro).Select(x => x.Recipe.Kind).Should().Equal(Enum.GetValues<Defense>());
    }

    [Fact]
    public void Selected_Subset_KeepsEachDefensesPositionInAll()
    {
        var c = ConfigOverrides.Apply(Micro, ["CompareDefenses=soe,Dwf"]);

        var selected = DefenseRecipes.Selected(c);

        selected.Select(x => (x.Recipe.Kind, x.Index)).Should().Equal((Defense.Dwf, 0), (Defense.Soe, 4));
    }
}
