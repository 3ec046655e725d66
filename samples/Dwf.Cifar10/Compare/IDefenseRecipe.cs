using TorchSharp;
using static TorchSharp.torch;

namespace Dwf.Cifar10.Compare;

/// <summary>
/// One defense of <c>compare</c>, in its own file under Recipes/: its model name in the run folder, what the table
/// calls it, where its weights are, and how to train it (skipping what is done, resuming what was interrupted). Every
/// defense is saved with a manifest, so evaluation loads all of them alike (<see cref="Pipeline.LoadTrained"/>). A new
/// defense is a new recipe file (with the next free <see cref="Position"/>) beside its library step:
/// <see cref="DefenseRecipes"/> finds it. Recipes derive from <see cref="DefenseRecipe"/> (a rival: <see cref="BaselineRecipe"/>),
/// which declares the key, position and names once.
/// </summary>
public interface IDefenseRecipe
{
    /// <summary>What <see cref="RunConfig.CompareDefenses"/> selects it by (config.json, <c>--set</c>).</summary>
    DefenseKey Key { get; }

    /// <summary>Its place in <see cref="DefenseRecipes.All"/> (the table's order; 0 is DWF, which the others are compared with) and the index of its seeds: fixed per defense, so adding one changes no other's training.</summary>
    int Position { get; }

    /// <summary>The model's name (its reports' file names).</summary>
    string Name { get; }

    /// <summary>What the table calls it.</summary>
    string Label { get; }

    /// <summary>Throws <see cref="ArgumentException"/> naming a setting of this defense in <paramref name="config"/> that cannot work (called for every defense, selected or not, before anything is written).</summary>
    void Validate(RunConfig config);

    /// <summary>Its weights file in <paramref name="folder"/> (a training cost is saved beside it).</summary>
    string Weights(RunFolder folder);

    /// <summary>Trains it; <paramref name="index"/> is its <see cref="Position"/> (its seeds).</summary>
    void Train(Pipeline pipeline, int index);

    /// <summary>The model rebuilt from this run's recipe for weights saved before they had a manifest; null when every file of this defense has one.</summary>
    nn.Module<Tensor, Tensor>? BuildWithoutManifest(Pipeline pipeline, int index) => null;
}
