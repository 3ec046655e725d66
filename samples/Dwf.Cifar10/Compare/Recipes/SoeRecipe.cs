using Dwf.Robustness.Attacks;
using Dwf.Robustness.Defenses;
using Dwf.Robustness.Defenses.Soe;
using TorchSharp;
using static TorchSharp.torch;

namespace Dwf.Cifar10.Compare.Recipes;

/// <summary>SoE (Cui et al., 2022): ResNet-20 experts with confidence heads, trained on clean and PGD images, given the DWF pipeline's compute unless <see cref="SoeSettings.Epochs"/> is set.</summary>
public sealed record SoeRecipe() : BaselineRecipe("Soe", 4, ModelName, "SoE (ResNet-20 experts)")
{
    /// <summary>The model's name in the run folder.</summary>
    public const string ModelName = "soe";

    /// <summary>Passes per training image and epoch: every step of the attack and both halves of the batch go through all M experts.</summary>
    public static double PassesPerImage(RunConfig config) => config.Soe.Experts * (config.BaselineSteps(config.Soe.PgdSteps) + 2.0);

    /// <inheritdoc />
    public override void Validate(RunConfig config) => config.Soe.Validate();

    public override void Train(Pipeline pipeline, int index)
    {
        var config = pipeline.Config;
        int steps = config.BaselineSteps(config.Soe.PgdSteps);
        var attack = new Pgd(config.PgdEpsilon, config.PgdStepFor(steps), steps, keepBest: false);
        pipeline.TrainBaseline(Name, index, PassesPerImage(config), config.Soe.Epochs,
            build: () => Build(pipeline),
            describe: model => $"{model.Description}, {attack.Name}",
            fit: (model, epochs, loader, checkpoint, progress) => new SoeTrainer(new SoeTrainingOptions
            {
                Epochs = epochs,
                Attack = attack,
                Optimizer = config.ExpertOptimizer,
                Seed = RunSeeds.For(config.Seed, SeedPurpose.BaselineAttacks, index),
            }, pipeline.Log).Fit(model, loader, checkpoint, progress, pipeline.Cancellation),
            save: (model, weights) => SavedDefense.Save(model, weights, pipeline.Input.ClassNames, pipeline.ImageSize));
    }

    public override nn.Module<Tensor, Tensor> BuildWithoutManifest(Pipeline pipeline, int index) => pipeline.Seeded(index, () => Build(pipeline));

    /// <summary>Its model for the run's classes and input normalization.</summary>
    private static SynergyOfExperts Build(Pipeline pipeline) =>
        SynergyOfExperts.ResNet20(pipeline.Config.Soe.Experts, pipeline.Input.Classes, pipeline.Config.Soe.Depth, pipeline.Config.Soe.Width,
            pipeline.Input.Normalization.Mean, pipeline.Input.Normalization.Std);
}
