using Dwf.Robustness.Defaults;
using Dwf.Robustness.Defenses;
using Dwf.Robustness.Defenses.AdvMoe;
using TorchSharp;
using static TorchSharp.torch;

namespace Dwf.Cifar10.Compare.Recipes;

/// <summary>ADVMoE (Zhang et al., 2023): an MoE ResNet-18 with a ResNet-20 router, router–expert alternating TRADES training, given the DWF pipeline's compute unless <see cref="AdvMoeSettings.Epochs"/> is set.</summary>
public sealed record AdvMoeRecipe() : BaselineRecipe("AdvMoe", 5, ModelName, "ADVMoE (MoE ResNet-18)")
{
    /// <summary>The model's name in the run folder.</summary>
    public const string ModelName = "advmoe";

    /// <summary>Passes per training image and epoch: two attacks (backbone + router each step), the expert step (clean + adversarial, router + backbone) and the router step (router, clean + adversarial).</summary>
    public static double PassesPerImage(RunConfig config) => 4.0 * config.AdvMoe.Steps + 6;

    /// <inheritdoc />
    public override void Validate(RunConfig config) => config.AdvMoe.Validate();

    public override void Train(Pipeline pipeline, int index)
    {
        var config = pipeline.Config;
        pipeline.TrainBaseline(Name, index, PassesPerImage(config), config.AdvMoe.Epochs,
            build: () => Build(pipeline),
            describe: model => $"{model.Description}, TRADES(β={AdvMoeDefaults.Beta.ToString(System.Globalization.CultureInfo.InvariantCulture)}) with {config.AdvMoe.Steps}-step PGD",
            fit: (model, epochs, loader, checkpoint, progress) => new AdvMoeTrainer(Options(pipeline, index, epochs), pipeline.Log)
                .Fit(model, loader, checkpoint, progress, pipeline.Cancellation),
            save: (model, weights) => SavedDefense.Save(model, weights, pipeline.Input.ClassNames, pipeline.ImageSize));
    }

    public override nn.Module<Tensor, Tensor> BuildWithoutManifest(Pipeline pipeline, int index) => pipeline.Seeded(index, () => Build(pipeline));

    private static AdvMoeTrainingOptions Options(Pipeline pipeline, int index, int epochs)
    {
        var config = pipeline.Config;
        var optimizer = config.ExpertOptimizer;
        return new AdvMoeTrainingOptions
        {
            Epochs = epochs, Experts = optimizer, Router = optimizer, Epsilon = config.PgdEpsilon, Steps = config.AdvMoe.Steps,
            Seed = RunSeeds.For(config.Seed, SeedPurpose.BaselineAttacks, index),
        };
    }

    /// <summary>Its network for the run's classes and input normalization.</summary>
    private static AdvMoeResNet18 Build(Pipeline pipeline) =>
        new(pipeline.Input.Classes, pipeline.Config.AdvMoe.Experts, pipeline.Config.ExpertWidth, pipeline.Config.AdvMoe.Ratio,
            mean: pipeline.Input.Normalization.Mean, std: pipeline.Input.Normalization.Std);
}
