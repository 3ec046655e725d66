namespace Dwf.Cifar10.Compare.Recipes;

/// <summary>One PGD-AT ResNet-18 given the DWF pipeline's compute (control b).</summary>
public sealed class PgdAtRecipe : IDefenseRecipe
{
    public Defense Kind => Defense.PgdAt;

    public string Name => Pipeline.EqualComputeControl;

    public string Label => "PGD-AT ResNet-18, equal compute (control b)";

    public string Weights(RunFolder folder) => folder.ControlWeights(Name);

    public void Train(Pipeline pipeline, int index) => pipeline.EqualCompute();
}
