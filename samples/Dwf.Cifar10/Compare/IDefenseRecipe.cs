using TorchSharp;
using static TorchSharp.torch;

namespace Dwf.Cifar10.Compare;

/// <summary>
/// One defense of <c>compare</c>, in its own file under Recipes/: its model name in the run folder, what the table
/// calls it, where its weights are, and how to train it (skipping what is done, resuming what was interrupted). Every
/// defense is saved with a manifest, so evaluation loads all of them alike (<see cref="Pipeline.LoadTrained"/>). A new
/// defense is a new recipe file, its <see cref="Defense"/> member and its line in <see cref="DefenseRecipes.All"/>,
/// beside its library step. Recipes derive from <see cref="DefenseRecipe"/> (a rival: <see cref="BaselineRecipe"/>), which
/// declares the three names once.
/// </summary>
public interface IDefenseRecipe
{
    /// <summary>Which defense it is (what <see cref="RunConfig.CompareDefenses"/> selects by).</summary>
    Defense Kind { get; }

    /// <summary>The model's name (its reports' file names).</summary>
    string Name { get; }

    /// <summary>What the table calls it.</summary>
    string Label { get; }

    /// <summary>Its weights file in <paramref name="folder"/> (a training cost is saved beside it).</summary>
    string Weights(RunFolder folder);

    /// <summary>Trains it; <paramref name="index"/> is its position in <see cref="DefenseRecipes.All"/> (its seeds).</summary>
    void Train(Pipeline pipeline, int index);

    /// <summary>The model rebuilt from this run's recipe for weights saved before they had a manifest; null when every file of this defense has one.</summary>
    nn.Module<Tensor, Tensor>? BuildWithoutManifest(Pipeline pipeline, int index) => null;
}
