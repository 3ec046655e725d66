using Dwf.Robustness.Training;
namespace Dwf.Cifar10;

/// <summary>
/// The presets: <c>paper</c> (the paper's set-up, for a GPU), <c>cpu-medium</c> (≤ 150 min on 2 cores),
/// <c>cpu-small</c> (≤ 60 min on 2 cores), <c>micro</c> (CI smoke test). Measured times: docs/results/.
/// </summary>
public static class Presets
{
    public static readonly string[] Names = ["paper", "cpu-medium", "cpu-small", "micro"];

    /// <summary>One line per preset for <c>--help</c>.</summary>
    public static readonly string Help =
        "paper: the paper's set-up (full width, 150 + 100 epochs, all data; days on a GPU) | " +
        "cpu-medium: width ×0.25, 500 images/class, 5 + 3 epochs, 1,000 test images, every expert (70 min measured on 2 AVX-512 cores) | " +
        "cpu-small: width ×0.25, 200 images/class, 4 + 2 epochs, 1,000 test images, the best expert only (45 min measured on 2 AVX2 cores) | " +
        "micro: a smoke test on 200 images (about a minute)";

    public static RunConfig Create(string name, string data, string runFolder) => name switch
    {
        "paper" => new RunConfig
        {
            Preset = name, Data = data, RunFolder = runFolder,
            Soe = new() { PgdSteps = Dwf.Robustness.Defaults.SoeDefaults.TrainingPgdSteps }, Trades = new() { Steps = 10 }, // their papers' attacks
        },
        "cpu-medium" => CpuRecipe(name, data, runFolder, expertWarmupEpochs: 0.75) with
        {
            TrainPerClass = 500, ValidationPerClass = 100, ExpertEpochs = 5,
            Joint = new JointSettings { Epochs = 3 }, Eval = new EvalSettings { PerClass = 100, PgdSteps = [20] },
        },
        "cpu-small" => CpuRecipe(name, data, runFolder, expertWarmupEpochs: 0.6) with
        {
            TrainPerClass = 200, ValidationPerClass = 50, ExpertEpochs = 4,
            Joint = new JointSettings { Epochs = 2 },
            Eval = new EvalSettings { PerClass = 100, FgsmEpsilons = [0.03, Dwf.Robustness.Defaults.PaperDefaults.PgdEpsilon, Dwf.Robustness.Defaults.PaperDefaults.HeadlineFgsmEpsilon], PgdSteps = [20], AllExperts = false },
        },
        "micro" => new RunConfig
        {
            Preset = name, Data = data, RunFolder = runFolder,
            ExpertWidth = 0.125, TrainPerClass = 20, ValidationPerClass = 5, ExpertEpochs = 1, PgdTrainSteps = [1, 2], BatchSize = 50,
            Joint = new JointSettings { Epochs = 1, PerClass = 10 },
            Eval = new EvalSettings { PerClass = 3, FgsmEpsilons = [0.03, Dwf.Robustness.Defaults.PaperDefaults.PgdEpsilon, Dwf.Robustness.Defaults.PaperDefaults.HeadlineFgsmEpsilon], PgdSteps = [20, 50], BatchSize = 30 },
            Soe = new() { Width = 0.5, Epochs = 1 }, Trades = new() { Epochs = 1 }, AdvMoe = new() { Epochs = 1, Ratio = 1.0 }, // no layer under 8 channels (see CrashChild)
        },
        _ => throw new ArgumentException($"Unknown preset '{name}'. Use one of: {string.Join(", ", Names)}.", nameof(name)),
    };

    /// <summary>
    /// The short-schedule recipe of the CPU presets (ours): quarter-width experts, SGD with Nesterov on a one-cycle
    /// schedule with a 15% warm-up (the recipe calibrated against PyTorch in docs/fidelity.md), PGD-2…5 while
    /// training; a joint phase on all the experts' training images with a short warm-up.
    /// </summary>
    private static RunConfig CpuRecipe(string name, string data, string runFolder, double expertWarmupEpochs)
    {
        var defaults = new RunConfig { Preset = name, RunFolder = runFolder };
        return defaults with
        {
            Data = data,
            ExpertWidth = 0.25, PgdTrainSteps = [2, 3, 4, 5],
            ExpertOptimizer = defaults.ExpertOptimizer with { Schedule = LearningRateSchedule.OneCycle, Nesterov = true, WarmupEpochs = expertWarmupEpochs },
            GateOptimizer = defaults.GateOptimizer with { WarmupEpochs = 0.25, Nesterov = true },
            JointExpertOptimizer = defaults.JointExpertOptimizer with { WarmupEpochs = 0.25, Nesterov = true },
        };
    }

    /// <summary>Every way <paramref name="c"/> differs from the paper's set-up, for the run's output.</summary>
    public static IReadOnlyList<string> DeviationsFromPaper(RunConfig c)
    {
        var paper = Create("paper", c.Data, c.RunFolder);
        var d = new List<string>();
        void Check(bool differs, string text)
        {
            if (differs)
            {
                d.Add(text);
            }
        }

        Check(c.ExpertWidth != paper.ExpertWidth, $"expert width ×{c.ExpertWidth} (paper: full ResNet-18, ×1.0)");
        Check((c.CleanExperts, c.FgsmExperts, c.PgdExperts) != (1, 4, 4), $"experts {c.CleanExperts} clean / {c.FgsmExperts} FGSM / {c.PgdExperts} PGD (paper: 1/4/4)");
        Check(c.TrainPerClass is not null, $"expert training on {c.TrainPerClass} images per class (paper: all 5000)");
        Check(c.TrainPerClass is null, $"expert training on the 5000 − {c.ValidationPerClass} images per class the validation split leaves (paper: all 5000; ours: the best expert is chosen on held-out images)");
        Check(c.ExpertEpochs != paper.ExpertEpochs, $"{c.ExpertEpochs} pre-training epochs (paper: 150)");
        Check(!c.FgsmEpsilons.SequenceEqual(paper.FgsmEpsilons), $"FGSM ε set {{{string.Join(", ", c.FgsmEpsilons)}}} (paper: 0.01–0.09)");
        Check(!c.PgdTrainSteps.SequenceEqual(paper.PgdTrainSteps), $"PGD training iterations {{{string.Join(", ", c.PgdTrainSteps)}}} (paper: 10–50)");
        Check(c.Joint.Epochs != paper.Joint.Epochs, $"{c.Joint.Epochs} joint epochs (paper: 100)");
        Check(c.Joint.PerClass is not null || c.TrainPerClass is not null, $"joint training on {c.Joint.PerClass ?? c.TrainPerClass} images per class (paper: all 5000)");
        Check(c.Eval.PerClass is not null, c.Eval.SkipPerClass == 0
            ? $"evaluation on {c.Eval.PerClass} test images per class (paper: all 1000)"
            : $"evaluation on test images {c.Eval.SkipPerClass + 1}–{c.Eval.SkipPerClass + c.Eval.PerClass} of each class (paper: all 1000)");
        Check(c.Joint.GateTopK is not null, $"top-{c.Joint.GateTopK} gate (paper: a soft gate over every expert)");
        Check(c.Joint.MixingMode != paper.Joint.MixingMode, $"mixing {c.Joint.MixingMode} (ours by default: logits; the paper does not say)");
        Check(c.FgsmRandomStart, "FGSM experts trained with FGSM from a random start (paper: plain FGSM)");
        return d;
    }
}
