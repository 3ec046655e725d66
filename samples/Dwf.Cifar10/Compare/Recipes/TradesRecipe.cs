using Dwf.Robustness.Attacks;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Persistence;
using Dwf.Robustness.Training;

namespace Dwf.Cifar10.Compare.Recipes;

/// <summary>One TRADES ResNet-18 (Zhang et al., 2019) given the DWF pipeline's compute unless <see cref="TradesSettings.Epochs"/> is set.</summary>
public sealed record TradesRecipe() : BaselineRecipe("Trades", 3, ModelName, "TRADES ResNet-18, equal compute")
{
    /// <summary>The model's name in the run folder.</summary>
    public const string ModelName = "trades";

    /// <summary>Passes per training image and epoch: its KL attack's steps, then the clean and the adversarial pass.</summary>
    public static double PassesPerImage(RunConfig config) => config.BaselineSteps(config.Trades.Steps) + 2;

    /// <inheritdoc />
    public override void Validate(RunConfig config) => config.Trades.Validate();

    public override void Train(Pipeline pipeline, int index)
    {
        var config = pipeline.Config;
        int steps = config.BaselineSteps(config.Trades.Steps);
        pipeline.TrainBaseline(Name, index, PassesPerImage(config), config.Trades.Epochs,
            build: () => new ResNet18(pipeline.Input.Classes, config.ExpertWidth, pipeline.Input.Normalization.Mean, pipeline.Input.Normalization.Std),
            describe: _ => $"ResNet-18, {TrainingObjective.Trades(config.Trades.Beta).Name}, {new TradesAttack(config.PgdEpsilon, config.PgdStepFor(steps), steps).Name}",
            fit: (model, epochs, loader, checkpoint, progress) => new ExpertTrainer(new ExpertTrainingOptions
            {
                Epochs = epochs,
                Attack = new TradesAttack(config.PgdEpsilon, config.PgdStepFor(steps), steps),
                Objective = TrainingObjective.Trades(config.Trades.Beta),
                Optimizer = config.ExpertOptimizer,
                Seed = RunSeeds.For(config.Seed, SeedPurpose.BaselineAttacks, index),
            }, pipeline.Log).Fit(Expert(model), loader, checkpoint, progress, pipeline.Cancellation),
            save: (model, weights) => SavedModel.Save(Expert(model), weights, pipeline.Input.ClassNames, pipeline.ImageSize));
    }

    private static Expert Expert(ResNet18 model) => new(model, ModelName, model.NumClasses, ExpertKind.Pgd);
}
