using TorchSharp;
using static TorchSharp.torch;

namespace Dwf.Cifar10.Compare;

/// <summary>What every recipe declares: its key, its position, its model name and its label (<see cref="IDefenseRecipe"/>).</summary>
/// <param name="KeyName">What selects it (<see cref="RunConfig.CompareDefenses"/>).</param>
/// <param name="Position">Its place in the table and its seed stream; the next free one for a new defense.</param>
/// <param name="Name">The model's name in the run folder.</param>
/// <param name="Label">What the table calls it.</param>
public abstract record DefenseRecipe(string KeyName, int Position, string Name, string Label) : IDefenseRecipe
{
    /// <inheritdoc />
    public DefenseKey Key { get; } = DefenseKey.Declare(KeyName);

    /// <inheritdoc />
    public virtual void Validate(RunConfig config)
    {
    }

    /// <inheritdoc />
    public abstract string Weights(RunFolder folder);

    /// <inheritdoc />
    public abstract void Train(Pipeline pipeline, int index);

    /// <inheritdoc />
    public virtual nn.Module<Tensor, Tensor>? BuildWithoutManifest(Pipeline pipeline, int index) => null;
}

/// <summary>A rival defense trained by <see cref="Pipeline.TrainBaseline"/>, its weights under baselines/.</summary>
public abstract record BaselineRecipe(string KeyName, int Position, string Name, string Label) : DefenseRecipe(KeyName, Position, Name, Label)
{
    /// <inheritdoc />
    public override string Weights(RunFolder folder) => folder.BaselineWeights(Name);
}
