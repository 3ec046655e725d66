namespace Dwf.Cifar10.Compare.Recipes;

/// <summary>DWF: experts pre-trained, then gate and experts trained jointly (the paper's method; every other defense is compared with it).</summary>
public sealed class DwfRecipe : IDefenseRecipe
{
    public Defense Kind => Defense.Dwf;

    public string Name => Pipeline.DwfModel;

    public string Label => "DWF (joint)";

    public string Weights(RunFolder folder) => folder.MixtureWeights(Name);

    public void Train(Pipeline pipeline, int index)
    {
        pipeline.Pretrain();
        pipeline.Joint(frozen: false);
    }
}
