using Dwf.Cifar10.Compare;
using Dwf.Robustness.Data;
using Dwf.Robustness.Defenses;
using Dwf.Robustness.Persistence;
using Dwf.Robustness.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Dwf.Cifar10;

/// <summary>
/// What the recipes of <c>compare</c> (Compare/Recipes/) share: the run's settings, the experts' SGD recipe, the
/// baselines' training frame (<see cref="TrainBaseline"/>) and loading any trained defense for evaluation.
/// </summary>
public sealed partial class Pipeline
{
    /// <summary>This run's settings.</summary>
    internal RunConfig Config => config;

    /// <summary>This run's log.</summary>
    internal FileLogger Log => log;

    /// <summary>Cancels training and evaluation.</summary>
    internal CancellationToken Cancellation => cancellationToken;

    /// <summary>Epochs of a baseline with <paramref name="passesPerImage"/> that cost what the DWF pipeline costs (rounded, at least 1), unless <paramref name="configured"/> is set.</summary>
    public int BaselineEpochs(int? configured, double passesPerImage) =>
        configured ?? Math.Max(1, (int)Math.Round(PipelinePasses() / (ExpertImages() * passesPerImage)));

    /// <summary>
    /// A baseline trained as every baseline is: skipped when its weights exist; <paramref name="build"/> seeded by its
    /// index; on the experts' training images with its own loader seed; a checkpoint in baselines/ (an interrupted run
    /// resumes); saved with <paramref name="save"/> (weights and manifest) and its training cost.
    /// </summary>
    /// <param name="name">The model's name.</param>
    /// <param name="index">Its position in <see cref="DefenseRecipes.All"/> (its seeds).</param>
    /// <param name="passesPerImage">Forward/backward passes per training image and epoch (its cost).</param>
    /// <param name="configuredEpochs">Its epochs when set; else the DWF pipeline's passes.</param>
    /// <param name="build">A new model with fresh weights.</param>
    /// <param name="describe">What the console line says it is.</param>
    /// <param name="fit">Trains it: (model, epochs, loader, checkpoint, progress) → history.</param>
    /// <param name="save">Saves it with its manifest.</param>
    internal void TrainBaseline<TModel>(string name, int index, double passesPerImage, int? configuredEpochs, Func<TModel> build, Func<TModel, string> describe,
        Func<TModel, int, BatchLoader, string, IProgress<TrainingProgress>, TrainingResult> fit, Action<TModel, string> save)
        where TModel : nn.Module
    {
        string weights = folder.BaselineWeights(name);
        if (File.Exists(weights))
        {
            Console.WriteLine($"baseline {name}: done earlier ({weights})");
            return;
        }

        int epochs = BaselineEpochs(configuredEpochs, passesPerImage);
        using var model = Seeded(index, build);
        using var subset = DataSplits.Experts(config, Train);
        var loader = new BatchLoader(subset, new BatchLoaderOptions
        {
            BatchSize = config.BatchSize, Augment = config.Augment, Seed = RunSeeds.For(config.Seed, SeedPurpose.BaselineLoader, index),
        }, device);
        Console.WriteLine($"baseline {name}: {describe(model)}, {epochs} epochs on {loader.Count} images");
        var result = ConsoleProgress.Run($"baseline {name}", progress =>
            fit(model, epochs, loader, folder.BaselineCheckpoint(name), new MemoryLoggingProgress(progress, log)));
        Directory.CreateDirectory(Path.GetDirectoryName(weights)!);
        save(model, weights);
        var cost = new TrainingCost(loader.Count * (double)epochs * passesPerImage, result.History.Sum(h => h.Seconds));
        CostFile.Write(weights, cost);
        log.Info(FormattableString.Invariant($"baseline {name} saved to {weights}; {cost.Passes:0.###e0} passes, {cost.Seconds:F0} s"));
        ReleaseMemory($"after baseline {name}");
    }

    /// <summary><paramref name="build"/> after seeding torch with the baseline's initialization seed (index: its position in <see cref="DefenseRecipes.All"/>), on this run's device.</summary>
    internal TModel Seeded<TModel>(int index, Func<TModel> build)
        where TModel : nn.Module
    {
        manual_seed(RunSeeds.For(config.Seed, SeedPurpose.BaselineInit, index));
        var model = build();
        model.to(device);
        return model;
    }

    /// <summary>
    /// A trained defense in eval mode: rebuilt from its manifest (every defense is saved with one), or — for weights
    /// saved before they had manifests — from this run's recipe.
    /// </summary>
    public nn.Module<Tensor, Tensor> LoadTrained(IDefenseRecipe recipe, int index)
    {
        string weights = recipe.Weights(folder);
        if (!File.Exists(weights))
        {
            throw new InvalidOperationException($"'{recipe.Name}' is not trained yet ({weights} is missing). Run 'compare' to train it.");
        }

        if (File.Exists(ModelManifest.PathFor(weights)))
        {
            return SavedDefense.LoadClassifier(weights, device, log);
        }

        if (recipe.BuildWithoutManifest(this, index) is { } model)
        {
            ModelFile.Load(model, weights);
            model.eval();
            return model;
        }

        return LoadForEvaluation(recipe.Name, weights);
    }

    private int ExpertImages() => DataSplits.TrainPerClass(config, Train) * Train.ClassNames.Count;
}
