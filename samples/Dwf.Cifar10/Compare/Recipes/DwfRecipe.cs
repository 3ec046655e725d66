namespace Dwf.Cifar10.Compare.Recipes;

/// <summary>DWF: experts pre-trained, then gate and experts trained jointly (the paper's method; every other defense is compared with it).</summary>
public sealed record DwfRecipe() : DefenseRecipe("Dwf", 0, Pipeline.DwfModel, "DWF (joint)")
{
    public override string Weights(RunFolder folder) => folder.MixtureWeights(Name);

    public override void Train(Pipeline pipeline, int index)
    {
        pipeline.Pretrain();
        pipeline.Joint(frozen: false);
    }
}
