namespace Dwf.Cifar10.Compare.Recipes;

/// <summary>The same experts with only the gate trained (the frozen vs joint ablation).</summary>
public sealed class FrozenExpertsRecipe : IDefenseRecipe
{
    public Defense Kind => Defense.FrozenExperts;

    public string Name => Pipeline.FrozenModel;

    public string Label => "frozen-expert mixture";

    public string Weights(RunFolder folder) => folder.MixtureWeights(Name);

    public void Train(Pipeline pipeline, int index)
    {
        pipeline.Pretrain();
        pipeline.Joint(frozen: true);
    }
}
