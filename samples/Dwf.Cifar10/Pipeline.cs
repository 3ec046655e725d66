using Dwf.Robustness.Attacks;
using Dwf.Robustness.Data;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Infrastructure;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Dwf.Cifar10;

/// <summary>The phases of a reproduction. Each skips what the run folder already holds and resumes what was interrupted.</summary>
public sealed class Pipeline(RunConfig config, RunFolder folder, Device device, FileLogger log, CancellationToken cancellationToken) : IDisposable
{
    public const string DwfModel = "dwf";
    public const string FrozenModel = "frozen-experts";

    private Cifar10Dataset? _train;
    private Cifar10Dataset? _test;

    private Cifar10Dataset Train => _train ??= Load(Cifar10Split.Train);

    private Cifar10Dataset Test => _test ??= Load(Cifar10Split.Test);

    public void Pretrain(string? only = null)
    {
        var plan = ExpertPlan.For(config);
        if (only is not null && plan.All(s => s.Name != only))
        {
            throw new ArgumentException($"No expert named '{only}'; this run has {string.Join(", ", plan.Select(s => s.Name))}.");
        }

        foreach (var spec in plan.Where(s => only is null || s.Name == only))
        {
            string weights = folder.ExpertWeights(spec.Name);
            if (File.Exists(weights))
            {
                Console.WriteLine($"expert {spec.Name}: done earlier ({weights})");
                continue;
            }

            using var subset = config.TrainPerClass is { } k ? Train.TakePerClass(k) : null;
            var loader = new BatchLoader(subset ?? Train, new BatchLoaderOptions
            {
                BatchSize = config.BatchSize, Augment = config.Augment, Seed = Seeds.DeriveInt64(config.Seed, 2, spec.Index),
            }, device);
            var expert = ExpertPlan.Create(config, spec, device);
            var options = new ExpertTrainingOptions
            {
                Epochs = config.EpochsFor(spec.Kind),
                Attack = spec.Attack,
                MixCleanWithAdversarial = config.ExpertMixClean,
                LabelSmoothing = config.ExpertLabelSmoothing,
                Optimizer = new OptimizerOptions
                {
                    LearningRate = config.ExpertLearningRate,
                    Momentum = config.ExpertMomentum,
                    Nesterov = config.ExpertNesterov,
                    WeightDecay = config.ExpertWeightDecay,
                    DecayNormAndBias = config.ExpertDecayNormAndBias,
                    Schedule = config.ExpertSchedule,
                    WarmupEpochs = config.ExpertWarmupEpochs,
                },
                Seed = config.Seed + spec.Index,
            };
            Console.WriteLine($"expert {spec.Name}: {(spec.Attack?.Name ?? "clean images")}, {options.Epochs} epochs on {loader.Count} images");
            var result = ConsoleProgress.Run($"expert {spec.Name}", progress =>
                new ExpertTrainer(options, log).Fit(expert, loader, folder.ExpertCheckpoint(spec.Name), new MemoryLoggingProgress(progress, log), cancellationToken));
            ModelFile.Save(expert.Module, weights);
            expert.Module.Dispose();
            log.Info($"expert {spec.Name} saved to {weights}; final training loss {result.History[^1].Loss:F4}");
            ReleaseMemory($"after expert {spec.Name}");
        }
    }

    public void Joint(bool frozen)
    {
        string name = frozen ? FrozenModel : DwfModel;
        string weights = folder.MixtureWeights(name);
        if (File.Exists(weights))
        {
            Console.WriteLine($"mixture {name}: done earlier ({weights})");
            return;
        }

        using var mixture = LoadMixture(withWeights: false);
        using var subset = config.JointPerClass is { } k ? Train.TakePerClass(k) : null;
        var loader = new BatchLoader(subset ?? Train, new BatchLoaderOptions
        {
            BatchSize = config.BatchSize, Augment = config.Augment, Seed = config.Seed + 1000,
        }, device);
        var options = new JointTrainingOptions
        {
            Epochs = config.JointEpochs,
            FgsmAttack = ExpertPlan.FgsmAttack(config),
            PgdAttack = ExpertPlan.PgdAttack(config),
            Gate = new OptimizerOptions { LearningRate = config.GateLearningRate, WarmupEpochs = config.JointWarmupEpochs, Nesterov = config.JointNesterov },
            Experts = new OptimizerOptions { LearningRate = config.JointExpertLearningRate, WarmupEpochs = config.JointWarmupEpochs, Nesterov = config.JointNesterov },
            FreezeExperts = frozen,
            GateEntropyWeight = config.GateEntropyWeight,
            CleanShare = config.JointCleanShare,
            FgsmShare = config.JointFgsmShare,
            PgdShare = config.JointPgdShare,
            ExpertRateScaling = config.JointExpertRateScaling,
            MaxExpertRateScale = config.JointMaxExpertRateScale,
            GateWarmupBatches = config.GateWarmupBatches,
            LabelSmoothing = config.JointLabelSmoothing,
            Seed = config.Seed + 2000,
        };
        Console.WriteLine($"mixture {name}: {mixture.Experts.Count} experts, experts {(frozen ? "frozen" : "trained")}, {config.JointEpochs} epochs on {loader.Count} images");
        ConsoleProgress.Run($"joint {name}", progress =>
            new JointTrainer(options, log).Fit(mixture, loader, folder.MixtureCheckpoint(name), new MemoryLoggingProgress(progress, log), cancellationToken));
        ModelFile.Save(mixture, weights);
        log.Info($"mixture {name} saved to {weights}");
        var drift = ExpertDrift(mixture);
        AtomicFile.WriteAllText(folder.MixtureDrift(name), System.Text.Json.JsonSerializer.Serialize(drift, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        log.Info($"mixture {name}: relative weight change of each expert in the joint phase: " +
                 string.Join(", ", drift.Select(d => FormattableString.Invariant($"{d.Key} {d.Value:G3}"))));
        ReleaseMemory($"after mixture {name}");
    }

    public IReadOnlyList<RobustnessReport> Evaluate(PlanKind plan = PlanKind.Paper)
    {
        var paper = new EvaluationOptions
        {
            FgsmEpsilons = config.EvalFgsmEpsilons,
            PgdEpsilons = [config.PgdEpsilon],
            PgdSteps = config.EvalPgdSteps,
            PerClass = config.EvalPerClass,
            BatchSize = config.EvalBatchSize,
            Seed = config.Seed + 3000,
        };
        var options = paper with { Plan = EvaluationPlans.For(plan, paper, config.PgdEpsilon) };
        var reports = new List<RobustnessReport>();
        foreach (var (name, weights) in Models())
        {
            string json = folder.Report(name, "json", plan);
            if (File.Exists(json))
            {
                reports.Add(ReportJson.Read(json));
                Console.WriteLine($"report {name}: done earlier ({json})");
                continue;
            }

            using var model = name is DwfModel or FrozenModel ? (nn.Module<Tensor, Tensor>)LoadMixture(withWeights: true, weights) : LoadExpert(name, weights);
            var report = ConsoleProgress.Evaluate($"evaluate {name}", progress =>
                new RobustnessEvaluator(options, log).Evaluate(model, Test, name, "CIFAR-10 test (JPEG-derived copy)", device, progress, cancellationToken));
            ReportJson.Write(report, json);
            ReportMarkdown.Write(report, folder.Report(name, "md", plan));
            reports.Add(report);
            ReleaseMemory($"after evaluating {name}");
            string worst = string.Join(", ", report.WorstCase.Select(w => $"ε={w.Epsilon:0.####} {ConsoleProgress.Pct(w.Accuracy)}"));
            Console.WriteLine($"report {name}: clean {ConsoleProgress.Pct(report.CleanAccuracy)}, worst case per ε: {worst}" +
                              (report.Warnings.Count > 0 ? $", {report.Warnings.Count} warning(s)" : ""));
        }

        return reports;
    }

    public void Dispose()
    {
        _train?.Dispose();
        _test?.Dispose();
    }

    private IEnumerable<(string Name, string Weights)> Models()
    {
        foreach (var m in new[] { DwfModel, FrozenModel })
        {
            if (File.Exists(folder.MixtureWeights(m)))
            {
                yield return (m, folder.MixtureWeights(m));
            }
        }

        foreach (var spec in ExpertPlan.For(config))
        {
            if (File.Exists(folder.ExpertWeights(spec.Name)))
            {
                yield return (spec.Name, folder.ExpertWeights(spec.Name));
            }
        }
    }

    /// <summary>‖θ − θ₀‖/‖θ₀‖ of every expert of <paramref name="mixture"/> against its pre-trained file.</summary>
    private Dictionary<string, double> ExpertDrift(MixtureOfExperts mixture)
    {
        var drift = new Dictionary<string, double>();
        foreach (var (spec, expert) in ExpertPlan.For(config).Zip(mixture.Experts))
        {
            using var pretrained = LoadExpert(spec.Name, folder.ExpertWeights(spec.Name));
            drift[spec.Name] = WeightChange.Relative(pretrained, expert.Module);
        }

        return drift;
    }

    private nn.Module<Tensor, Tensor> LoadExpert(string name, string weights)
    {
        var spec = ExpertPlan.For(config).Single(s => s.Name == name);
        var expert = ExpertPlan.Create(config, spec, device);
        ModelFile.Load(expert.Module, weights);
        expert.Module.eval();
        return expert.Module;
    }

    private MixtureOfExperts LoadMixture(bool withWeights, string? weights = null)
    {
        var experts = new List<IExpert>();
        foreach (var spec in ExpertPlan.For(config))
        {
            string file = folder.ExpertWeights(spec.Name);
            if (!File.Exists(file))
            {
                throw new InvalidOperationException($"Expert '{spec.Name}' is not trained yet ({file} is missing). Run 'pretrain' first.");
            }

            var expert = ExpertPlan.Create(config, spec, device);
            ModelFile.Load(expert.Module, file);
            experts.Add(expert);
        }

        manual_seed(config.Seed + 4000);
        var mixture = new MixtureOfExperts(experts, new SoftGate(experts.Count, config.GateWidth, config.GateTemperature), config.MixingMode);
        mixture.to(device);
        if (withWeights)
        {
            ModelFile.Load(mixture, weights!);
        }

        mixture.eval();
        return mixture;
    }

    private Cifar10Dataset Load(Cifar10Split split)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var data = Cifar10Reader.Load(config.Data, split);
        log.Info($"loaded CIFAR-10 {split}: {data.Count} images in {clock.Elapsed.TotalSeconds:F1} s from {config.Data}");
        return data;
    }

    /// <summary>Forwards progress, and logs process memory (RSS) at every epoch end: the memory-flatness benchmark.</summary>
    /// <summary>
    /// Between phases: the memory the tuned allocator keeps for reuse fits the phase that freed it, not the next one
    /// (another attack, the joint phase, evaluation), so it is handed back here and RSS stays at one phase's peak.
    /// </summary>
    private void ReleaseMemory(string when)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        double before = ProcessMemory.RssMegabytes();
        CpuAllocator.Release();
        log.Info($"{when}: process RSS {before:F0} MB, {ProcessMemory.RssMegabytes():F0} MB after releasing free memory");
    }

    private sealed class MemoryLoggingProgress(IProgress<TrainingProgress> inner, FileLogger log) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            inner.Report(value);
            if (value.CompletedEpoch is { } m)
            {
                log.Info($"{m.Phase} epoch {m.Epoch}/{m.Epochs} done in {m.Seconds:F1} s; process RSS {ProcessMemory.RssMegabytes():F0} MB");
            }
        }
    }
}
