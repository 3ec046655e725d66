namespace Dwf.Cifar10.Compare;

/// <summary>
/// One defense of <c>compare</c>: its model name in the run folder, what the table calls it, and how to train it
/// (skipping what is done, resuming what was interrupted). A new defense is a new entry in
/// <see cref="DefenseRecipes.All"/> and its training method; the evaluation and the table take every entry alike.
/// </summary>
/// <param name="Kind">Which defense it is (what <see cref="RunConfig.CompareDefenses"/> selects by).</param>
/// <param name="Name">The model's name (its reports' file names).</param>
/// <param name="Label">What the table calls it.</param>
/// <param name="Train">Trains it; the index is its position in the list (its seeds).</param>
public sealed record DefenseRecipe(Defense Kind, string Name, string Label, Action<Pipeline, int> Train);
