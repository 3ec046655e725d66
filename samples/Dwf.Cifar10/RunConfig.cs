using Dwf.Robustness.Defaults;
using Dwf.Robustness.Training;

namespace Dwf.Cifar10;

/// <summary>
/// Everything a run uses, resolved from a preset and the command-line flags, and saved as config.json in the run
/// folder. Values marked "paper" in <see cref="Presets"/> come from arXiv 2512.20821; the rest are ours.
/// </summary>
public sealed partial record RunConfig
{
    public required string Preset { get; init; }
    /// <summary>Where the data is read from; not part of the run's identity (config.json), so a moved archive still resumes.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Data { get; init; } = "";
    public required string RunFolder { get; init; }
    public long Seed { get; init; }
    /// <summary>This run's index among the replicates of a study (<c>--replicate</c>/<c>--replicates</c>; its seed is derived from the study's); null for a single run.</summary>
    public int? Replicate { get; init; }
    /// <summary>The device; not part of the run's identity, so a run started on one device can be continued on another.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Device { get; init; } = "cpu";
    /// <summary>Side of the square images of an image-folder dataset (<c>--data</c> with train/ and test/ class folders); unset: <see cref="DefaultImageSize"/>. CIFAR-10 is 32×32 as stored.</summary>
    public int? ImageSize { get; init; }
    /// <summary>The image size of a folder dataset when <see cref="ImageSize"/> is unset.</summary>
    public const int DefaultImageSize = 32;

    // Experts (phase 1)
    public double ExpertWidth { get; init; } = 1.0;
    public int CleanExperts { get; init; } = PaperDefaults.CleanExperts;
    public int FgsmExperts { get; init; } = PaperDefaults.FgsmExperts;
    public int PgdExperts { get; init; } = PaperDefaults.PgdExperts;
    public int? TrainPerClass { get; init; }
    public int ExpertEpochs { get; init; } = PaperDefaults.ExpertEpochs;
    public int BatchSize { get; init; } = OurDefaults.BatchSize;
    public IReadOnlyList<double> FgsmEpsilons { get; init; } = PaperDefaults.FgsmEpsilons;
    public IReadOnlyList<int> PgdTrainSteps { get; init; } = PaperDefaults.PgdTrainingSteps;
    public double PgdEpsilon { get; init; } = PaperDefaults.PgdEpsilon;
    public bool Augment { get; init; } = true;

    // Expert recipe (ours; the paper does not state its optimizer): the library's record and defaults, shared by the
    // experts, control (b) and the baselines (--set ExpertOptimizer.Momentum=0.9).
    public OptimizerOptions ExpertOptimizer { get; init; } = new();
    public double ExpertLabelSmoothing { get; init; }
    public bool ExpertMixClean { get; init; }
    /// <summary>FGSM experts trained with FGSM from a random start, step 1.25·ε (fast adversarial training; ablation, ours) instead of the paper's plain FGSM.</summary>
    public bool FgsmRandomStart { get; init; }
    public int? CleanExpertEpochs { get; init; }
    public int? FgsmExpertEpochs { get; init; }
    public int? PgdExpertEpochs { get; init; }
    public double? PgdTrainStepSize { get; init; }

    // Joint phase (phase 2)
    /// <summary>The joint phase's settings (<c>--set Joint.Name=value</c>).</summary>
    public JointSettings Joint { get; init; } = new();
    /// <summary>The gate's optimizer in the joint phase (<c>--set GateOptimizer.LearningRate=…</c>).</summary>
    public OptimizerOptions GateOptimizer { get; init; } = new();
    /// <summary>The experts' optimizer in the joint phase (<c>--set JointExpertOptimizer.LearningRate=…</c>).</summary>
    public OptimizerOptions JointExpertOptimizer { get; init; } = new() { LearningRate = OurDefaults.JointExpertLearningRate };

    // Validation split and controls (ours: the paper names no validation split and no controls)
    /// <summary>Training images per class held out (after the expert training images) to choose the best expert; never trained on.</summary>
    public int ValidationPerClass { get; init; } = 100;
    /// <summary>PGD iterations (CE, ε = <see cref="PgdEpsilon"/>, step 2/255) of the validation attack that ranks the experts.</summary>
    public int ValidationPgdSteps { get; init; } = 10;
    /// <summary>Train the two controls: the best PGD expert fine-tuned with the joint phase's batches, and one PGD expert given the whole pipeline's compute.</summary>
    public bool Controls { get; init; } = true;
    /// <summary>
    /// With <see cref="Controls"/>, a third control (ours): one PGD-trained ResNet-18 matched to the mixture in parameters
    /// (width × √experts) and given the pipeline's compute (its passes cost (width ratio)² expert passes each).
    /// </summary>
    public bool WideControl { get; init; }
    /// <summary>
    /// Validation-split accuracy of controls (b) and (c) at about this many evenly spaced epochs (and the last) while they
    /// train (controls/NAME.validation.json): whether the longest-trained single networks overfit. 0 (default): off.
    /// </summary>
    public int ControlValidationPoints { get; init; }

    // Baselines of `compare` (ours unless the defaults class says it is their paper's; docs/paper-vs-ours.md)
    // Each rival's own settings (Soe, Trades, AdvMoe) are declared beside its recipe, in Compare/Recipes/*Settings.cs.
    /// <summary>
    /// The defenses <c>compare</c> trains and evaluates (default: all). DWF must be among them: the others are tested
    /// against it. Leaving the rivals out makes an ablation of DWF cost its own training and evaluation only.
    /// </summary>
    public IReadOnlyList<Compare.DefenseKey> CompareDefenses { get; init; } = Compare.DefenseRecipes.All.Select(r => r.Key).ToArray();

    // Evaluation (config.json "Eval")
    public EvalSettings Eval { get; init; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work, before anything is written.</summary>
    public void Validate()
    {
        void Require(bool ok, string message)
        {
            if (!ok)
            {
                throw new ArgumentException(message);
            }
        }

        Require(ExpertEpochs >= 1, $"ExpertEpochs must be ≥ 1; got {ExpertEpochs} (--expert-epochs).");
        Require(CleanExpertEpochs is null or >= 1 && FgsmExpertEpochs is null or >= 1 && PgdExpertEpochs is null or >= 1,
            $"Per-kind expert epochs must be ≥ 1 or unset; got clean {CleanExpertEpochs}, FGSM {FgsmExpertEpochs}, PGD {PgdExpertEpochs}.");
        Require(Joint.Epochs >= 1, $"Joint.Epochs must be ≥ 1; got {Joint.Epochs} (--joint-epochs).");
        Require(CleanExperts + FgsmExperts + PgdExperts >= 1 && CleanExperts >= 0 && FgsmExperts >= 0 && PgdExperts >= 0,
            $"Expert counts must be ≥ 0 with at least one expert; got {CleanExperts}/{FgsmExperts}/{PgdExperts}.");
        Require(ExpertWidth > 0 && double.IsFinite(ExpertWidth), $"ExpertWidth must be > 0; got {ExpertWidth} (--width).");
        Require(ImageSize is null or (>= 8 and <= 1024), $"ImageSize must be 8 to 1024 pixels or unset ({DefaultImageSize}); got {ImageSize}.");
        Require(TrainPerClass is null or >= 1, $"TrainPerClass must be ≥ 1 or unset (all); got {TrainPerClass}.");
        Require(Joint.PerClass is null or >= 1, $"Joint.PerClass must be ≥ 1 or unset; got {Joint.PerClass}.");
        Require(ValidationPerClass >= 1, $"ValidationPerClass must be ≥ 1 (the best expert is chosen on it); got {ValidationPerClass}.");
        Require(ValidationPgdSteps >= 1, $"ValidationPgdSteps must be ≥ 1; got {ValidationPgdSteps}.");
        Require(!Controls || PgdExperts >= 1, "Controls need at least one PGD expert (PgdExperts ≥ 1), or set Controls=false.");
        Require(Eval.PerClass is null or >= 1, $"Eval.PerClass must be ≥ 1 or unset (all); got {Eval.PerClass}.");
        Require(Eval.BatchesPerBlock >= 1, $"Eval.BatchesPerBlock must be ≥ 1; got {Eval.BatchesPerBlock}.");
        Require(Eval.L2Epsilon > 0 && Eval.L2Epsilon <= 64, $"Eval.L2Epsilon must be in (0, 64] (an L2 radius in [0,1] pixel units; CIFAR-10's: 0.5); got {Eval.L2Epsilon}.");
        Require(Eval.SkipPerClass >= 0 && (Eval.SkipPerClass == 0 || Eval.PerClass is not null),
            $"Eval.SkipPerClass must be ≥ 0 and needs Eval.PerClass (it skips test images of each class before the evaluated ones); got {Eval.SkipPerClass} with Eval.PerClass {Eval.PerClass?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unset"}.");
        Require(ControlValidationPoints >= 0, $"ControlValidationPoints must be ≥ 0 (0: off); got {ControlValidationPoints}.");
        Require(!WideControl || Controls, "WideControl is one of the controls: it needs Controls=true.");
        Require(PgdTrainSteps.Count > 0 && PgdTrainSteps.All(k => k >= 1), $"PgdTrainSteps must be a non-empty list of values ≥ 1; got [{string.Join(", ", PgdTrainSteps)}].");
        foreach (var recipe in Compare.DefenseRecipes.All)
        {
            recipe.Validate(this);
        }
        Require(CompareDefenses.Contains(Compare.DefenseRecipes.Reference.Key) && CompareDefenses.Distinct().Count() == CompareDefenses.Count,
            $"CompareDefenses must name {Compare.DefenseRecipes.Reference.Key} (the others are compared with it) and no defense twice; got [{string.Join(", ", CompareDefenses)}]. Use a comma-separated list of {string.Join(", ", Compare.DefenseRecipes.All.Select(r => r.Key))}.");
        Require(Joint.GateTopK is null or >= 1, $"Joint.GateTopK must be ≥ 1 or unset (the soft gate); got {Joint.GateTopK}.");
        ExpertOptimizer.Validate(nameof(ExpertOptimizer) + ".");
        GateOptimizer.Validate(nameof(GateOptimizer) + ".");
        JointExpertOptimizer.Validate(nameof(JointExpertOptimizer) + ".");
        Require(BatchSize >= 1 && Eval.BatchSize >= 1, $"BatchSize and Eval.BatchSize must be ≥ 1; got {BatchSize} and {Eval.BatchSize}.");
    }

    /// <summary>A baseline's attack iterations: <paramref name="steps"/> when set, else the DWF PGD experts' mean iteration count, rounded (so a baseline's attack is as strong as theirs).</summary>
    public int BaselineSteps(int? steps) => steps ?? Math.Max(1, (int)Math.Round(MeanPgdTrainSteps, MidpointRounding.AwayFromZero));

    /// <summary>Mean attack iterations of a PGD training batch (the iteration count is drawn uniformly from <see cref="PgdTrainSteps"/>).</summary>
    public double MeanPgdTrainSteps => PgdTrainSteps.Average();

    /// <summary>PGD step size for k iterations (ours): <see cref="PgdTrainStepSize"/> when set, else 2/255, or 2.5·ε/k when that is larger, so short PGD can still cross the ε-ball.</summary>
    public double PgdStepFor(int steps) => PgdTrainStepSize ?? Math.Max(OurDefaults.PgdStepSize, 2.5 * PgdEpsilon / steps);

    /// <summary>Pre-training epochs of an expert of <paramref name="kind"/>: the per-kind setting, else <see cref="ExpertEpochs"/>.</summary>
    public int EpochsFor(Dwf.Robustness.Experts.ExpertKind kind) => kind switch
    {
        Dwf.Robustness.Experts.ExpertKind.Clean => CleanExpertEpochs,
        Dwf.Robustness.Experts.ExpertKind.Fgsm => FgsmExpertEpochs,
        Dwf.Robustness.Experts.ExpertKind.Pgd => PgdExpertEpochs,
        _ => null,
    } ?? ExpertEpochs;
}
