using Dwf.Cifar10.Data;
using Dwf.Robustness.Attacks;
using Dwf.Robustness.Data;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Infrastructure;
using Dwf.Robustness.Persistence;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Dwf.Cifar10;

/// <summary>The phases of a reproduction. Each skips what the run folder already holds and resumes what was interrupted.</summary>
public sealed partial class Pipeline(RunConfig config, RunFolder folder, Device device, FileLogger log, CancellationToken cancellationToken) : IDisposable
{
    public const string DwfModel = "dwf";
    public const string FrozenModel = "frozen-experts";

    private ImageDataset? _train;
    private ImageDataset? _test;
    private IDataSource? _source;
    private ModelInput? _input;

    /// <summary>Where this run's images come from (<c>--data</c>: CIFAR-10 or an image folder).</summary>
    internal IDataSource Source => _source ??= DataSources.Open(config.Data, config.ImageSize);

    private ImageDataset Train => _train ??= Load(DataPart.Train);

    private ImageDataset Test => _test ??= Load(DataPart.Test);

    /// <summary>The side of this run's square images (CIFAR-10: 32), recorded in every manifest so an export or a server resizes to it.</summary>
    internal int ImageSize => config.ImageSize ?? RunConfig.DefaultImageSize;

    /// <summary>What every model of this run takes and predicts, from the training images: classes and input normalization.</summary>
    internal ModelInput Input
    {
        get
        {
            if (_input is null)
            {
                using var experts = DataSplits.Experts(config, Train);
                _input = new ModelInput(Train.ClassNames, Source.Normalization(experts));
                log.Info($"models of this run: {_input.Classes} classes, normalization mean [{string.Join(", ", _input.Normalization.Mean.Select(m => m.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)))}], " +
                         $"std [{string.Join(", ", _input.Normalization.Std.Select(m => m.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)))}]");
            }

            return _input;
        }
    }

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

            // Several pretrain jobs may share this folder: each expert is trained by the one process that claims it.
            using var claim = ExpertClaim.TryTake(folder.ExpertLock(spec.Name));
            if (claim is null)
            {
                if (only is not null)
                {
                    throw new InvalidOperationException(
                        $"Expert '{spec.Name}' is being trained by another process on this run folder (it holds {folder.ExpertLock(spec.Name)}). Wait for it, or train another expert.");
                }

                Console.WriteLine($"expert {spec.Name}: being trained by another process; skipped");
                continue;
            }

            if (File.Exists(weights))
            {
                Console.WriteLine($"expert {spec.Name}: finished by another process ({weights})");
                continue;
            }

            var expert = ExpertPlan.Create(config, spec, Input, device);
            TrainExpert(spec, expert, config.EpochsFor(spec.Kind), folder.ExpertCheckpoint(spec.Name), weights);
        }
    }

    /// <summary>Pre-trains <paramref name="expert"/> on the experts' training images with <paramref name="spec"/>'s attack, and saves it with its cost.</summary>
    /// <param name="passScale">Expert-sized passes one pass of this network costs (1 for an expert; (width ratio)² for a wider network).</param>
    /// <param name="validationCurve">Where to record validation accuracy during training (<see cref="RunConfig.ControlValidationPoints"/>); null: not recorded.</param>
    private void TrainExpert(ExpertSpec spec, Expert expert, int epochs, string checkpoint, string weights, double passScale = 1, string? validationCurve = null)
    {
        using var subset = DataSplits.Experts(config, Train);
        var loader = new BatchLoader(subset, new BatchLoaderOptions
        {
            BatchSize = config.BatchSize, Augment = config.Augment, Seed = RunSeeds.For(config.Seed, SeedPurpose.ExpertLoader, spec.Index),
        }, device);
        var options = new ExpertTrainingOptions
        {
            Epochs = epochs,
            Attack = spec.Attack,
            MixCleanWithAdversarial = config.ExpertMixClean,
            LabelSmoothing = config.ExpertLabelSmoothing,
            Optimizer = config.ExpertOptimizer,
            Seed = RunSeeds.For(config.Seed, SeedPurpose.ExpertAttacks, spec.Index),
        };
        Console.WriteLine($"expert {spec.Name}: {(spec.Attack?.Name ?? "clean images")}, {options.Epochs} epochs on {loader.Count} images");
        using var validation = validationCurve is null ? null : DataSplits.Validation(config, Train);
        var result = ConsoleProgress.Run($"expert {spec.Name}", progress =>
        {
            IProgress<TrainingProgress> reporting = new MemoryLoggingProgress(progress, log);
            if (validation is not null)
            {
                reporting = new EpochEndProgress(reporting, CurveRecorder(expert.Module, validation, spec.Name, validationCurve!));
            }

            return new ExpertTrainer(options, log).Fit(expert, loader, checkpoint, reporting, cancellationToken);
        });
        SavedModel.Save(expert, weights, Input.ClassNames, ImageSize); // weights + a manifest: evaluate rebuilds it without this recipe
        CostFile.Write(weights, new TrainingCost(passScale * TrainingCost.Expert(config, spec.Kind, loader.Count, epochs), result.History.Sum(h => h.Seconds)));
        expert.Module.Dispose();
        log.Info($"expert {spec.Name} saved to {weights}; final training loss {result.History[^1].Loss:F4}");
        ReleaseMemory($"after expert {spec.Name}");
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
        Console.WriteLine($"mixture {name}: {mixture.Experts.Count} experts, experts {(frozen ? "frozen" : "trained")}, {config.Joint.Epochs} epochs");
        var cost = TrainJoint(mixture, frozen, $"joint {name}", folder.MixtureCheckpoint(name));
        SavedModel.Save(mixture, weights, Input.ClassNames, ImageSize);
        CostFile.Write(weights, cost);
        log.Info($"mixture {name} saved to {weights}");
        var drift = ExpertDrift(mixture);
        AtomicFile.WriteAllText(folder.MixtureDrift(name), System.Text.Json.JsonSerializer.Serialize(drift, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        log.Info($"mixture {name}: relative weight change of each expert in the joint phase: " +
                 string.Join(", ", drift.Select(d => FormattableString.Invariant($"{d.Key} {d.Value:G3}"))));
        ReleaseMemory($"after mixture {name}");
    }

    /// <summary>
    /// The joint phase's training of <paramref name="mixture"/>: the same images, batches (loader seed), attacks and
    /// optimizer settings for DWF, the frozen mixture and the fine-tuned control.
    /// </summary>
    private TrainingCost TrainJoint(MixtureOfExperts mixture, bool frozen, string label, string checkpoint)
    {
        using var subset = DataSplits.Joint(config, Train);
        var loader = new BatchLoader(subset, new BatchLoaderOptions
        {
            BatchSize = config.BatchSize, Augment = config.Augment, Seed = RunSeeds.For(config.Seed, SeedPurpose.JointLoader),
        }, device);
        var options = new JointTrainingOptions
        {
            Epochs = config.Joint.Epochs,
            FgsmAttack = ExpertPlan.FgsmAttack(config),
            PgdAttack = ExpertPlan.PgdAttack(config),
            Gate = config.GateOptimizer,
            Experts = config.JointExpertOptimizer,
            FreezeExperts = frozen,
            GateEntropyWeight = config.Joint.GateEntropyWeight,
            CleanShare = config.Joint.CleanShare,
            FgsmShare = config.Joint.FgsmShare,
            PgdShare = config.Joint.PgdShare,
            ExpertRateScaling = config.Joint.ExpertRateScaling,
            MaxExpertRateScale = config.Joint.MaxExpertRateScale,
            GateWarmupBatches = config.Joint.GateWarmupBatches,
            LabelSmoothing = config.Joint.LabelSmoothing,
            Seed = RunSeeds.For(config.Seed, SeedPurpose.JointAttacks),
        };
        log.Info($"{label}: {mixture.Experts.Count} expert(s), {config.Joint.Epochs} epochs on {loader.Count} images");
        var result = ConsoleProgress.Run(label, progress =>
            new JointTrainer(options, log).Fit(mixture, loader, checkpoint, new MemoryLoggingProgress(progress, log), cancellationToken));
        return new TrainingCost(TrainingCost.Joint(config, mixture.Experts.Count, loader.Count, config.Joint.Epochs), result.History.Sum(h => h.Seconds));
    }

    /// <summary>The threat model of <see cref="EvaluationOptionsFor"/>'s AutoAttack plans (<c>evaluate --threat-model</c>); L∞ by default.</summary>
    public Dwf.Robustness.Attacks.ThreatModel Threat { get; set; }

    /// <summary>The shard every evaluation of this invocation covers (<c>evaluate --shard i/n</c>); null for the whole subset.</summary>
    public EvaluationShard? Shard { get; set; }

    public IReadOnlyList<RobustnessReport> Evaluate(PlanKind plan = PlanKind.Paper)
    {
        var options = EvaluationOptionsFor(plan);
        var reports = new List<RobustnessReport>();
        foreach (var (name, weights) in Models())
        {
            reports.Add(EvaluateOne(name, () => LoadForEvaluation(name, weights), options, plan));
        }

        return reports;
    }

    /// <summary>
    /// aa-rapid on the images the paper plan left robust (<see cref="ContinueFrom"/>), for every model of
    /// <paramref name="paper"/>: the evaluation <see cref="RunConfig.Eval.RapidOnSurvivors"/> asks for.
    /// </summary>
    public IReadOnlyList<RobustnessReport> EvaluateOnSurvivors(IReadOnlyList<RobustnessReport> paper)
    {
        var rapid = EvaluationOptionsFor(PlanKind.AutoAttackRapid);
        var reports = new List<RobustnessReport>();
        foreach (var (name, weights) in Models())
        {
            if (paper.FirstOrDefault(r => r.Model == name) is { } first)
            {
                reports.Add(EvaluateOne(name, () => LoadForEvaluation(name, weights), ContinueFrom(rapid, first), PlanKind.AutoAttackRapid));
            }
        }

        return reports;
    }

    /// <summary>
    /// The rapid plan run as AutoAttack runs its cascade: only on the images the paper plan left robust at 8/255.
    /// The worst case over both plans is unchanged by that (an image the paper plan broke stays broken), and the
    /// APGD attacks skip the images already lost. The sanity and adaptive checks ran in the paper pass on the same
    /// model and images, so the rapid pass does not repeat them.
    /// </summary>
    public static EvaluationOptions ContinueFrom(EvaluationOptions rapid, RobustnessReport paper) =>
        rapid with { After = paper, SanityChecks = false, AdaptiveMixtureChecks = false };

    /// <summary>The evaluation settings of this run under <paramref name="plan"/> (the same for every model).</summary>
    public EvaluationOptions EvaluationOptionsFor(PlanKind plan)
    {
        var paper = new EvaluationOptions
        {
            FgsmEpsilons = config.Eval.FgsmEpsilons,
            PgdEpsilons = [config.PgdEpsilon],
            PgdSteps = config.Eval.PgdSteps,
            PgdLosses = config.Eval.PgdLosses,
            PerClass = config.Eval.PerClass,
            SkipPerClass = config.Eval.SkipPerClass,
            BatchSize = config.Eval.BatchSize,
            BatchesPerBlock = config.Eval.BatchesPerBlock,
            Shard = Shard,
            Seed = RunSeeds.For(config.Seed, SeedPurpose.Evaluation),
        };
        double epsilon = Threat == Dwf.Robustness.Attacks.ThreatModel.L2 ? config.Eval.L2Epsilon : config.PgdEpsilon;
        return paper with { Plan = EvaluationPlans.For(plan, paper, epsilon, Threat, classes: Test.ClassNames.Count) };
    }

    /// <summary>Evaluates one model (its report read back when it exists; the state file resumes an interrupted evaluation).</summary>
    public RobustnessReport EvaluateOne(string name, Func<nn.Module<Tensor, Tensor>> load, EvaluationOptions options, PlanKind plan)
    {
        string json = folder.Report(name, "json", plan, Threat, Shard);
        if (File.Exists(json))
        {
            Console.WriteLine($"report {name}: done earlier ({json})");
            var earlier = ReportJson.Read(json);
            string? expected = EvaluationSettings.From(options).AttackedAfter;
            if (earlier.Options.AttackedAfter != expected)
            {
                throw new InvalidDataException(
                    $"{json} was evaluated {(earlier.Options.AttackedAfter is { } a ? $"after {a}" : "on every clean-correct image")}, but this command evaluates " +
                    $"{(expected is null ? "every clean-correct image" : $"after {expected}")}. Delete it (and any .state.json beside it) to evaluate again.");
            }

            return earlier;
        }

        using var model = load();
        var report = ConsoleProgress.Evaluate($"evaluate {name}", progress =>
            new RobustnessEvaluator(options, log).Evaluate(model, Test, name, Source.Describe(DataPart.Test), device, progress, cancellationToken,
                statePath: folder.Report(name, "state.json", plan, Threat, Shard)));
        ReportJson.Write(report, json);
        ReportMarkdown.Write(report, folder.Report(name, "md", plan, Threat, Shard));
        ReleaseMemory($"after evaluating {name}");
        string worst = string.Join(", ", report.WorstCase.Select(w => $"ε={w.Epsilon:0.####} {ConsoleProgress.Pct(w.Accuracy)}"));
        Console.WriteLine($"report {name}: clean {ConsoleProgress.Pct(report.CleanAccuracy)}, worst case per ε: {worst}" +
                          (report.Warnings.Count > 0 ? $", {report.Warnings.Count} warning(s)" : ""));
        return report;
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

        string? best = !config.Eval.AllExperts && File.Exists(folder.Selection) ? ExpertSelection.FromJson(File.ReadAllText(folder.Selection)).BestExpert : null;
        foreach (var spec in ExpertPlan.For(config).Where(s => best is null || s.Name == best))
        {
            if (File.Exists(folder.ExpertWeights(spec.Name)))
            {
                yield return (spec.Name, folder.ExpertWeights(spec.Name));
            }
        }

        foreach (var control in ControlNames)
        {
            if (File.Exists(folder.ControlWeights(control)))
            {
                yield return (control, folder.ControlWeights(control));
            }
        }
    }

    /// <summary>‖θ − θ₀‖/‖θ₀‖ of every expert of <paramref name="mixture"/> against its pre-trained file.</summary>
    private Dictionary<string, double> ExpertDrift(MixtureOfExperts mixture)
    {
        var drift = new Dictionary<string, double>();
        foreach (var (spec, expert) in ExpertPlan.For(config).Zip(mixture.Experts))
        {
            drift[spec.Name] = DriftFrom(spec.Name, expert.Module);
        }

        return drift;
    }

    /// <summary>
    /// A trained model for evaluation: rebuilt from its manifest (<see cref="SavedModel"/>) when it has one, else — for
    /// run folders written before manifests — from this run's recipe.
    /// </summary>
    private nn.Module<Tensor, Tensor> LoadForEvaluation(string name, string weights)
    {
        bool mixture = name is DwfModel or FrozenModel;
        if (File.Exists(Dwf.Robustness.Persistence.ModelManifest.PathFor(weights)))
        {
            return Dwf.Robustness.Defenses.SavedDefense.LoadClassifier(weights, device, log);
        }

        return mixture ? LoadMixture(withWeights: true, weights) : LoadExpert(name, weights);
    }

    private nn.Module<Tensor, Tensor> LoadExpert(string name, string weights)
    {
        var spec = ExpertPlan.For(config).SingleOrDefault(s => s.Name == name) ?? ControlSpec(name);
        var expert = ExpertPlan.Create(config, spec, Input, device, name == WideControlName ? WideControlWidth() : null);
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

            var expert = ExpertPlan.Create(config, spec, Input, device);
            ModelFile.Load(expert.Module, file);
            experts.Add(expert);
        }

        manual_seed(RunSeeds.For(config.Seed, SeedPurpose.GateInit));
        var mixture = new MixtureOfExperts(experts, Gate(experts.Count), config.Joint.MixingMode);
        mixture.to(device);
        if (withWeights)
        {
            ModelFile.Load(mixture, weights!);
        }

        mixture.eval();
        return mixture;
    }

    /// <summary>The mixture's gate: a <see cref="SoftGate"/>, or with <see cref="JointSettings.GateTopK"/> a <see cref="TopKGate"/> over one (the soft vs top-k ablation).</summary>
    private nn.Module<Tensor, Tensor> Gate(int experts)
    {
        var soft = new SoftGate(experts, config.Joint.GateWidth, config.Joint.GateTemperature, mean: Input.Normalization.Mean, std: Input.Normalization.Std);
        return config.Joint.GateTopK is { } k && k < experts ? new TopKGate(soft, k) : soft;
    }

    private ImageDataset Load(DataPart part)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var data = Source.Load(part, cancellationToken);
        log.Info($"loaded {Source.Name} {part}: {data.Count} images of {data.Images.shape[2]}×{data.Images.shape[3]}, {data.ClassNames.Count} classes, in {clock.Elapsed.TotalSeconds:F1} s from {config.Data}");
        return data;
    }

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

    /// <summary>Forwards progress, and logs process memory (RSS) at every epoch end: the memory-flatness benchmark.</summary>
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
