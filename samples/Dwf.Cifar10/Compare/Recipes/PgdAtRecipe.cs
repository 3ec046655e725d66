namespace Dwf.Cifar10.Compare.Recipes;

/// <summary>One PGD-AT ResNet-18 given the DWF pipeline's compute (control b).</summary>
public sealed record PgdAtRecipe() : DefenseRecipe("PgdAt", 2, Pipeline.EqualComputeControl, "PGD-AT ResNet-18, equal compute (control b)")
{
    public override string Weights(RunFolder folder) => folder.ControlWeights(Name);

    public override void Train(Pipeline pipeline, int index) => pipeline.EqualCompute();
}
