using TorchSharp;
using static TorchSharp.torch;

namespace Dwf.Cifar10.Compare;

/// <summary>What every recipe declares: which defense, its model name and its label (<see cref="IDefenseRecipe"/>).</summary>
/// <param name="Kind">Which defense.</param>
/// <param name="Name">The model's name in the run folder.</param>
/// <param name="Label">What the table calls it.</param>
public abstract record DefenseRecipe(Defense Kind, string Name, string Label) : IDefenseRecipe
{
    /// <inheritdoc />
    public abstract string Weights(RunFolder folder);

    /// <inheritdoc />
    public abstract void Train(Pipeline pipeline, int index);

    /// <inheritdoc />
    public virtual nn.Module<Tensor, Tensor>? BuildWithoutManifest(Pipeline pipeline, int index) => null;
}

/// <summary>A rival defense trained by <see cref="Pipeline.TrainBaseline"/>, its weights under baselines/.</summary>
public abstract record BaselineRecipe(Defense Kind, string Name, string Label) : DefenseRecipe(Kind, Name, Label)
{
    /// <inheritdoc />
    public override string Weights(RunFolder folder) => folder.BaselineWeights(Name);
}
