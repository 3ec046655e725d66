namespace Dwf.Cifar10.Compare.Recipes;

/// <summary>The same experts with only the gate trained (the frozen vs joint ablation).</summary>
public sealed record FrozenExpertsRecipe() : DefenseRecipe("FrozenExperts", 1, Pipeline.FrozenModel, "frozen-expert mixture")
{
    public override string Weights(RunFolder folder) => folder.MixtureWeights(Name);

    public override void Train(Pipeline pipeline, int index)
    {
        pipeline.Pretrain();
        pipeline.Joint(frozen: true);
    }
}
