using Dwf.Robustness.Attacks;
using Dwf.Robustness.Data;
using Dwf.Robustness.Defenses;
using Dwf.Robustness.Defenses.AdvMoe;
using Dwf.Robustness.Defenses.Soe;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Training;
using TorchSharp;
using Dwf.Robustness.Persistence;
using static TorchSharp.torch;

namespace Dwf.Cifar10;

/// <summary>The baselines of <c>compare</c>: TRADES, SoE and ADVMoE, each trained on the experts' training images with as many forward/backward passes as the DWF pipeline unless its epochs are set.</summary>
public sealed partial class Pipeline
{
    public const string TradesModel = "trades";
    public const string SoeModel = "soe";
    public const string AdvMoeModel = "advmoe";

    /// <summary>Passes per training image and epoch of TRADES: its KL attack's steps, then the clean and the adversarial pass.</summary>
    public double TradesPassesPerImage => config.BaselineSteps(config.TradesSteps) + 2;

    /// <summary>SoE: every step of the attack and both halves of the batch go through all M experts.</summary>
    public double SoePassesPerImage => config.SoeExperts * (config.BaselineSteps(config.SoePgdSteps) + 2.0);

    /// <summary>ADVMoE: two attacks (backbone + router each step), the expert step (clean + adversarial, router + backbone) and the router step (router, clean + adversarial).</summary>
    public double AdvMoePassesPerImage => 4.0 * config.AdvMoeSteps + 6;

    /// <summary>Epochs of a baseline with <paramref name="passesPerImage"/> that cost what the DWF pipeline costs (rounded, at least 1), unless <paramref name="configured"/> is set.</summary>
    public int BaselineEpochs(int? configured, double passesPerImage) =>
        configured ?? Math.Max(1, (int)Math.Round(PipelinePasses() / (ExpertImages() * passesPerImage)));

    public void TrainTrades(int index)
    {
        string weights = folder.BaselineWeights(TradesModel);
        if (Done(TradesModel, weights))
        {
            return;
        }

        int steps = config.BaselineSteps(config.TradesSteps);
        int epochs = BaselineEpochs(config.TradesEpochs, TradesPassesPerImage);
        var expert = BuildTrades(index);
        var options = new ExpertTrainingOptions
        {
            Epochs = epochs,
            Attack = new TradesAttack(config.PgdEpsilon, config.PgdStepFor(steps), steps),
            Objective = TrainingObjective.Trades(config.TradesBeta),
            Optimizer = ExpertOptimizer(),
            Seed = RunSeeds.For(config.Seed, SeedPurpose.BaselineAttacks, index),
        };
        using var subset = DataSplits.Experts(config, Train);
        var loader = BaselineLoader(subset, index);
        Console.WriteLine($"baseline {TradesModel}: ResNet-18, {options.Objective.Name}, {options.Attack!.Name}, {epochs} epochs on {loader.Count} images");
        try
        {
            var result = ConsoleProgress.Run($"baseline {TradesModel}", progress =>
                new ExpertTrainer(options, log).Fit(expert, loader, folder.BaselineCheckpoint(TradesModel), new MemoryLoggingProgress(progress, log), cancellationToken));
            Directory.CreateDirectory(Path.GetDirectoryName(weights)!);
            Dwf.Robustness.Persistence.SavedModel.Save(expert, weights);
            Finish(TradesModel, weights, null, new TrainingCost(loader.Count * (double)epochs * TradesPassesPerImage, result.History.Sum(h => h.Seconds)));
        }
        finally
        {
            expert.Module.Dispose();
        }
    }

    public void TrainSoe(int index)
    {
        string weights = folder.BaselineWeights(SoeModel);
        if (Done(SoeModel, weights))
        {
            return;
        }

        int steps = config.BaselineSteps(config.SoePgdSteps);
        int epochs = BaselineEpochs(config.SoeEpochs, SoePassesPerImage);
        using var model = BuildSoe(index);
        var options = new SoeTrainingOptions
        {
            Epochs = epochs,
            Attack = new Pgd(config.PgdEpsilon, config.PgdStepFor(steps), steps, keepBest: false),
            Optimizer = ExpertOptimizer(),
            Seed = RunSeeds.For(config.Seed, SeedPurpose.BaselineAttacks, index),
        };
        using var subset = DataSplits.Experts(config, Train);
        var loader = BaselineLoader(subset, index);
        Console.WriteLine($"baseline {SoeModel}: {model.Description}, {options.Attack!.Name}, {epochs} epochs on {loader.Count} images");
        var result = ConsoleProgress.Run($"baseline {SoeModel}", progress =>
            new SoeTrainer(options, log).Fit(model, loader, folder.BaselineCheckpoint(SoeModel), new MemoryLoggingProgress(progress, log), cancellationToken));
        Directory.CreateDirectory(Path.GetDirectoryName(weights)!);
        SavedDefense.Save(model, weights);
        Finish(SoeModel, weights, null, new TrainingCost(loader.Count * (double)epochs * SoePassesPerImage, result.History.Sum(h => h.Seconds)));
    }

    public void TrainAdvMoe(int index)
    {
        string weights = folder.BaselineWeights(AdvMoeModel);
        if (Done(AdvMoeModel, weights))
        {
            return;
        }

        int epochs = BaselineEpochs(config.AdvMoeEpochs, AdvMoePassesPerImage);
        using var model = BuildAdvMoe(index);
        var optimizer = ExpertOptimizer();
        var options = new AdvMoeTrainingOptions
        {
            Epochs = epochs, Experts = optimizer, Router = optimizer, Epsilon = config.PgdEpsilon, Steps = config.AdvMoeSteps,
            Seed = RunSeeds.For(config.Seed, SeedPurpose.BaselineAttacks, index),
        };
        using var subset = DataSplits.Experts(config, Train);
        var loader = BaselineLoader(subset, index);
        Console.WriteLine($"baseline {AdvMoeModel}: {model.Description}, TRADES(β={options.Beta}) with {options.Steps}-step PGD, {epochs} epochs on {loader.Count} images");
        var result = ConsoleProgress.Run($"baseline {AdvMoeModel}", progress =>
            new AdvMoeTrainer(options, log).Fit(model, loader, folder.BaselineCheckpoint(AdvMoeModel), new MemoryLoggingProgress(progress, log), cancellationToken));
        Directory.CreateDirectory(Path.GetDirectoryName(weights)!);
        SavedDefense.Save(model, weights);
        Finish(AdvMoeModel, weights, null, new TrainingCost(loader.Count * (double)epochs * AdvMoePassesPerImage, result.History.Sum(h => h.Seconds)));
    }

    /// <summary>
    /// A baseline in eval mode: rebuilt from its manifest (every baseline is saved with one), or — for SoE and ADVMoE
    /// weights saved before they had manifests — from this run's recipe.
    /// </summary>
    public nn.Module<Tensor, Tensor> LoadBaseline(string name, int index)
    {
        string weights = folder.BaselineWeights(name);
        if (!File.Exists(weights))
        {
            throw new InvalidOperationException($"Baseline '{name}' is not trained yet ({weights} is missing). Run 'compare' to train it.");
        }

        if (File.Exists(ModelManifest.PathFor(weights)))
        {
            return SavedDefense.LoadClassifier(weights, device, log);
        }

        nn.Module<Tensor, Tensor> model = name switch
        {
            SoeModel => BuildSoe(index),
            AdvMoeModel => BuildAdvMoe(index),
            _ => throw new InvalidDataException($"Baseline '{name}' has no manifest beside {weights}; it was not saved by this sample. Train it again (delete the file)."),
        };
        ModelFile.Load(model, weights);
        model.eval();
        return model;
    }

    /// <summary>A trained model by name: a mixture, an expert or control of the run, or a baseline.</summary>
    public nn.Module<Tensor, Tensor> LoadTrained(string name, int index) => name switch
    {
        DwfModel or FrozenModel => LoadForEvaluation(name, folder.MixtureWeights(name)),
        EqualComputeControl or FineTunedControl => LoadForEvaluation(name, folder.ControlWeights(name)),
        TradesModel or SoeModel or AdvMoeModel => LoadBaseline(name, index),
        _ => LoadForEvaluation(name, folder.ExpertWeights(name)),
    };

    private int ExpertImages() => DataSplits.TrainPerClass(config, Train) * Train.ClassNames.Count;

    private Expert BuildTrades(int index)
    {
        manual_seed(RunSeeds.For(config.Seed, SeedPurpose.BaselineInit, index));
        var expert = Expert.ResNet18(TradesModel, ExpertKind.Pgd, 10, config.ExpertWidth);
        expert.Module.to(device);
        return expert;
    }

    private SynergyOfExperts BuildSoe(int index)
    {
        manual_seed(RunSeeds.For(config.Seed, SeedPurpose.BaselineInit, index));
        var model = SynergyOfExperts.ResNet20(config.SoeExperts, 10, config.SoeDepth, config.SoeWidth);
        model.to(device);
        return model;
    }

    private AdvMoeResNet18 BuildAdvMoe(int index)
    {
        manual_seed(RunSeeds.For(config.Seed, SeedPurpose.BaselineInit, index));
        var model = new AdvMoeResNet18(10, config.AdvMoeExperts, config.ExpertWidth, config.AdvMoeRatio);
        model.to(device);
        return model;
    }

    /// <summary>The experts' SGD recipe, shared by the experts, control (b) and the baselines.</summary>
    private OptimizerOptions ExpertOptimizer() => new()
    {
        LearningRate = config.ExpertLearningRate,
        Momentum = config.ExpertMomentum,
        Nesterov = config.ExpertNesterov,
        WeightDecay = config.ExpertWeightDecay,
        DecayNormAndBias = config.ExpertDecayNormAndBias,
        Schedule = config.ExpertSchedule,
        WarmupEpochs = config.ExpertWarmupEpochs,
    };

    private BatchLoader BaselineLoader(ImageDataset subset, int index) => new(subset, new BatchLoaderOptions
    {
        BatchSize = config.BatchSize, Augment = config.Augment, Seed = RunSeeds.For(config.Seed, SeedPurpose.BaselineLoader, index),
    }, device);

    private static bool Done(string name, string weights)
    {
        if (!File.Exists(weights))
        {
            return false;
        }

        Console.WriteLine($"baseline {name}: done earlier ({weights})");
        return true;
    }

    private void Finish(string name, string weights, nn.Module? dispose, TrainingCost cost)
    {
        CostFile.Write(weights, cost);
        dispose?.Dispose();
        log.Info(FormattableString.Invariant($"baseline {name} saved to {weights}; {cost.Passes:0.###e0} passes, {cost.Seconds:F0} s"));
        ReleaseMemory($"after baseline {name}");
    }
}
