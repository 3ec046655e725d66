namespace Dwf.Cifar10.Compare;

/// <summary>
/// The defenses <c>compare</c> trains and evaluates with one plan on the same images: every recipe class of this
/// assembly (a new defense is a new file under Recipes/, found here), in the order of their
/// <see cref="IDefenseRecipe.Position"/>, DWF first (the others are compared with it).
/// </summary>
public static class DefenseRecipes
{
    /// <summary>Every recipe, by position.</summary>
    public static IReadOnlyList<IDefenseRecipe> All { get; } = Discover();

    /// <summary>The recipe every other defense is compared with (position 0).</summary>
    public static IDefenseRecipe Reference => All[0];

    /// <summary>
    /// The entries <paramref name="config"/> selects (<see cref="RunConfig.CompareDefenses"/>), each with its
    /// <see cref="IDefenseRecipe.Position"/>: the position seeds a defense's training, so leaving others out (or adding a
    /// defense) does not change it.
    /// </summary>
    public static IReadOnlyList<(IDefenseRecipe Recipe, int Index)> Selected(RunConfig config) =>
        All.Where(r => config.CompareDefenses.Contains(r.Key)).Select(r => (r, r.Position)).ToList();

    private static List<IDefenseRecipe> Discover()
    {
        var recipes = typeof(DefenseRecipes).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IDefenseRecipe).IsAssignableFrom(t))
            .Select(t => (IDefenseRecipe)(Activator.CreateInstance(t)
                ?? throw new InvalidOperationException($"Recipe {t.Name} needs a public parameterless constructor.")))
            .OrderBy(r => r.Position).ToList();
        for (int i = 0; i < recipes.Count; i++)
        {
            if (recipes[i].Position != i)
            {
                throw new InvalidOperationException(
                    $"Defense positions must be 0, 1, … without gaps or repeats (a position seeds a defense's training); {recipes[i].GetType().Name} has {recipes[i].Position} where {i} is next. Give a new recipe position {recipes.Count}.");
            }
        }

        var twice = recipes.GroupBy(r => r.Key.Value, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        return twice is null ? recipes
            : throw new InvalidOperationException($"Two recipes are called '{twice.Key}' ({string.Join(", ", twice.Select(r => r.GetType().Name))}); keys select defenses and must differ.");
    }
}
