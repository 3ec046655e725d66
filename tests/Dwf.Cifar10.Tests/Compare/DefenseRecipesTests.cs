using Dwf.Cifar10.Compare;
using Dwf.Cifar10.Compare.Recipes;

namespace Dwf.Cifar10.Tests.Compare;

public class DefenseRecipesTests
{
    private static RunConfig Micro => Presets.Create("micro", "/data", "/run");

    [Fact]
    public void All_EveryRecipeClassFound_ByPositionWithDwfFirstAndTheSeedsOfEarlierVersions()
    {
        DefenseRecipes.All.Select(d => d.GetType()).Should().Equal(
            typeof(DwfRecipe), typeof(FrozenExpertsRecipe), typeof(PgdAtRecipe), typeof(TradesRecipe), typeof(SoeRecipe), typeof(AdvMoeRecipe));
        DefenseRecipes.All.Select(d => d.Position).Should().Equal(0, 1, 2, 3, 4, 5);
        DefenseRecipes.All.Select(d => d.Key.Value).Should().Equal(RunConfigJson.LegacyDefenseNumbers, "the enum of older versions had this order, and its numbers are read as these keys");
        DefenseRecipes.All.Select(d => d.Name).Should().OnlyHaveUniqueItems();
        DefenseRecipes.Reference.Should().BeOfType<DwfRecipe>();
    }

    [Fact]
    public void Selected_Default_EveryDefense()
    {
        DefenseRecipes.Selected(Micro).Select(x => x.Recipe).Should().Equal(DefenseRecipes.All);
    }

    [Fact]
    public void Selected_Subset_KeepsEachDefensesPosition()
    {
        var c = ConfigOverrides.Apply(Micro, ["CompareDefenses=soe,Dwf"]);

        var selected = DefenseRecipes.Selected(c);

        selected.Select(x => (x.Recipe.Key.Value, x.Index)).Should().Equal(("Dwf", 0), ("Soe", 4));
    }

    [Fact]
    public void Parse_KeyInAnyCase_TheRecipesSpelling_UnknownRefusedListingTheKeys()
    {
        DefenseKey.Parse("advmoe").Should().Be(new AdvMoeRecipe().Key);
        DefenseKey.Parse(" TRADES ").Value.Should().Be("Trades");

        var act = () => DefenseKey.Parse("Madry");

        act.Should().Throw<FormatException>().WithMessage("*'Madry'*Dwf, FrozenExperts, PgdAt, Trades, Soe, AdvMoe*");
    }

    [Fact]
    public void Read_CompareDefensesAsNumbersOfAnOlderVersion_ReadAsKeys()
    {
        var node = System.Text.Json.JsonSerializer.SerializeToNode(Micro with { RunFolder = "." }, RunConfigJson.Options)!.AsObject();
        node["CompareDefenses"] = new System.Text.Json.Nodes.JsonArray(0, 4);

        var config = RunConfigJson.Read(node.ToJsonString(), "config.json");

        config.CompareDefenses.Select(k => k.Value).Should().Equal("Dwf", "Soe");
        System.Text.Json.JsonSerializer.Serialize(config, RunConfigJson.Options).Should().Contain("\"Soe\"").And.NotContain("\"CompareDefenses\": [\n    0");
    }

    [Fact]
    public void Read_CompareDefensesNamingNoRecipe_RefusedNamingIt()
    {
        var node = System.Text.Json.JsonSerializer.SerializeToNode(Micro with { RunFolder = "." }, RunConfigJson.Options)!.AsObject();
        node["CompareDefenses"] = new System.Text.Json.Nodes.JsonArray("Dwf", "Madry");

        var act = () => RunConfigJson.Read(node.ToJsonString(), "config.json");

        act.Should().Throw<InvalidDataException>().WithMessage("*config.json*'Madry' names no defense*Dwf, FrozenExperts*");
    }
}
