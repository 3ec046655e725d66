using Dwf.Robustness.Experts;
using Dwf.Robustness.Persistence;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Dwf.Cifar10;

public sealed partial class Pipeline
{
    /// <summary>Control (a): the best PGD expert (chosen on the validation split) fine-tuned alone with the joint phase's images, batches, attacks and steps.</summary>
    public const string FineTunedControl = "control-finetuned";

    /// <summary>Control (b): one PGD expert trained from scratch with as many forward/backward passes as the whole DWF pipeline (all experts + the joint phase).</summary>
    public const string EqualComputeControl = "control-equal-compute";

    /// <summary>Control (c), with <see cref="RunConfig.WideControl"/>: one PGD-trained ResNet-18 as wide as the mixture has parameters (width × √experts), given the pipeline's compute.</summary>
    public const string WideControlName = "control-wide";

    /// <summary>The controls, in the order they are trained and reported.</summary>
    public static readonly string[] ControlNames = [FineTunedControl, EqualComputeControl, WideControlName];

    /// <summary>The forward/backward passes of the DWF pipeline as configured: every expert's pre-training plus the joint phase.</summary>
    public double PipelinePasses()
    {
        int classes = Train.ClassNames.Count; // image counts only: the subsets themselves are not built
        int experts = DataSplits.TrainPerClass(config, Train) * classes, joint = DataSplits.JointPerClass(config, Train) * classes;
        var plan = ExpertPlan.For(config);
        return plan.Sum(s => TrainingCost.Expert(config, s.Kind, experts, config.EpochsFor(s.Kind))) +
               TrainingCost.Joint(config, plan.Count, joint, config.Joint.Epochs);
    }

    /// <summary>Trains both controls (each skipped when its weights exist).</summary>
    public void Controls(ExpertSelection selection)
    {
        FineTune(selection);
        EqualCompute();
        if (config.WideControl)
        {
            Wide();
        }
    }

    /// <summary>The wide control's width: the experts' width × √(expert count), so its convolutions hold about as many parameters as all the experts together.</summary>
    public double WideControlWidth() => config.ExpertWidth * Math.Sqrt(ExpertPlan.For(config).Count);

    /// <summary>Control (c): one PGD-trained network matched to the mixture in parameters and compute (skipped when its weights exist).</summary>
    private void Wide()
    {
        string weights = folder.ControlWeights(WideControlName);
        if (File.Exists(weights))
        {
            Console.WriteLine($"control {WideControlName}: done earlier ({weights})");
            return;
        }

        double width = WideControlWidth();
        double passScale = Math.Pow(width / config.ExpertWidth, 2); // a convolution's cost grows with the square of its width
        double passes = PipelinePasses();
        int images = DataSplits.TrainPerClass(config, Train) * Train.ClassNames.Count;
        int epochs = TrainingCost.EqualComputeEpochs(config, passes / passScale, images);
        Console.WriteLine(FormattableString.Invariant(
            $"control {WideControlName}: one PGD-trained ResNet-18 of width {width:0.###} ({passScale:0.##}× an expert's cost per pass), {epochs} epochs ≈ the pipeline's {passes:0.###e0} expert passes"));
        Directory.CreateDirectory(Path.GetDirectoryName(weights)!);
        var spec = ControlSpec(WideControlName);
        var expert = ExpertPlan.Create(config, spec, Input, device, width);
        TrainExpert(spec, expert, epochs, folder.ControlCheckpoint(WideControlName), weights, passScale, CurvePath(WideControlName));
    }

    private void FineTune(ExpertSelection selection)
    {
        string weights = folder.ControlWeights(FineTunedControl);
        if (File.Exists(weights))
        {
            Console.WriteLine($"control {FineTunedControl}: done earlier ({weights})");
            return;
        }

        string start = selection.BestPgdExpert ?? throw new InvalidOperationException("The fine-tuned control needs a PGD expert; this run has none (PgdExperts = 0).");
        var spec = ExpertPlan.For(config).Single(s => s.Name == start);
        var expert = ExpertPlan.Create(config, spec, Input, device);
        Dwf.Robustness.Persistence.ModelFile.Load(expert.Module, folder.ExpertWeights(start));
        Console.WriteLine($"control {FineTunedControl}: {start} (best PGD expert on validation) fine-tuned for the joint phase's {config.Joint.Epochs} epochs");

        // A mixture of one expert is that expert (its gate's softmax over one score is exactly 1), so the joint trainer
        // gives it exactly the joint phase's batches, attack draws, optimizer and schedule.
        manual_seed(RunSeeds.For(config.Seed, SeedPurpose.GateInit));
        using var single = new MixtureOfExperts([expert], new SoftGate(1, config.Joint.GateWidth, config.Joint.GateTemperature, mean: Input.Normalization.Mean, std: Input.Normalization.Std), config.Joint.MixingMode);
        single.to(device);
        var joint = TrainJoint(single, frozen: false, $"control {FineTunedControl}", folder.ControlCheckpoint(FineTunedControl));
        Directory.CreateDirectory(Path.GetDirectoryName(weights)!);
        SavedModel.Save(new Expert(expert.Module, FineTunedControl, expert.NumClasses, ExpertKind.Pgd), weights, Input.ClassNames, ImageSize);
        var pretraining = CostFile.Read(folder.ExpertWeights(start));
        CostFile.Write(weights, new TrainingCost((pretraining?.Passes ?? 0) + joint.Passes, (pretraining?.Seconds ?? 0) + joint.Seconds));
        log.Info($"control {FineTunedControl} saved to {weights}; relative weight change {DriftFrom(start, expert.Module):G3}");
        ReleaseMemory($"after control {FineTunedControl}");
    }

    /// <summary>Control (b), also the PGD-AT baseline of <c>compare</c>: one PGD expert given the pipeline's passes (skipped when its weights exist).</summary>
    public void EqualCompute()
    {
        string weights = folder.ControlWeights(EqualComputeControl);
        if (File.Exists(weights))
        {
            Console.WriteLine($"control {EqualComputeControl}: done earlier ({weights})");
            return;
        }

        var spec = ControlSpec(EqualComputeControl);
        double passes = PipelinePasses();
        int images = DataSplits.TrainPerClass(config, Train) * Train.ClassNames.Count;
        int epochs = TrainingCost.EqualComputeEpochs(config, passes, images);
        Console.WriteLine(FormattableString.Invariant($"control {EqualComputeControl}: one PGD expert, {epochs} epochs = the pipeline's {passes:0.###e0} passes"));
        Directory.CreateDirectory(Path.GetDirectoryName(weights)!);
        var expert = ExpertPlan.Create(config, spec, Input, device);
        TrainExpert(spec, expert, epochs, folder.ControlCheckpoint(EqualComputeControl), weights, validationCurve: CurvePath(EqualComputeControl));
    }

    /// <summary>Where control <paramref name="name"/>'s validation curve goes, or null when <see cref="RunConfig.ControlValidationPoints"/> is 0.</summary>
    private string? CurvePath(string name) => config.ControlValidationPoints > 0 ? folder.ValidationCurve(name) : null;

    /// <summary>The line-up entry a control model is built from: a PGD expert after the nine (its own seeds).</summary>
    private ExpertSpec ControlSpec(string name)
    {
        var plan = ExpertPlan.For(config);
        return name switch
        {
            FineTunedControl => plan.Single(s => s.Name == (File.Exists(folder.Selection)
                ? ExpertSelection.FromJson(File.ReadAllText(folder.Selection)).BestPgdExpert
                : null)) with { Name = name },
            EqualComputeControl => new ExpertSpec(name, ExpertKind.Pgd, plan.Count, ExpertPlan.PgdAttack(config)),
            WideControlName => new ExpertSpec(name, ExpertKind.Pgd, plan.Count + 1, ExpertPlan.PgdAttack(config)),
            _ => throw new ArgumentException($"No model named '{name}' in this run."),
        };
    }

    private double DriftFrom(string pretrainedName, nn.Module<Tensor, Tensor> module)
    {
        using var pretrained = LoadExpert(pretrainedName, folder.ExpertWeights(pretrainedName));
        return WeightChange.Relative(pretrained, module);
    }
}
