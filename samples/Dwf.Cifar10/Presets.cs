namespace Dwf.Cifar10;

/// <summary>The presets: <c>paper</c> (the paper's set-up, for a GPU), <c>cpu-small</c> (≤ 60 min on 2 cores), <c>micro</c> (CI smoke test).</summary>
public static class Presets
{
    public static readonly string[] Names = ["paper", "cpu-small", "micro"];

    public static RunConfig Create(string name, string data, string runFolder) => name switch
    {
        "paper" => new RunConfig { Preset = name, Data = data, RunFolder = runFolder },
        "cpu-small" => new RunConfig
        {
            Preset = name, Data = data, RunFolder = runFolder,
            ExpertWidth = 0.25, TrainPerClass = 800, ExpertEpochs = 5, PgdTrainSteps = [2, 3, 4, 5],
            JointEpochs = 3, JointPerClass = 400,
            EvalPerClass = 40, EvalPgdSteps = [20, 50],
        },
        "micro" => new RunConfig
        {
            Preset = name, Data = data, RunFolder = runFolder,
            ExpertWidth = 0.125, TrainPerClass = 20, ExpertEpochs = 1, PgdTrainSteps = [1, 2], BatchSize = 50,
            JointEpochs = 1, JointPerClass = 10,
            EvalPerClass = 3, EvalFgsmEpsilons = [0.03, 8.0 / 255, 0.09], EvalPgdSteps = [20, 50], EvalBatchSize = 30,
        },
        _ => throw new ArgumentException($"Unknown preset '{name}'. Use one of: {string.Join(", ", Names)}.", nameof(name)),
    };

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
        Check(c.ExpertEpochs != paper.ExpertEpochs, $"{c.ExpertEpochs} pre-training epochs (paper: 150)");
        Check(!c.FgsmEpsilons.SequenceEqual(paper.FgsmEpsilons), $"FGSM ε set {{{string.Join(", ", c.FgsmEpsilons)}}} (paper: 0.01–0.09)");
        Check(!c.PgdTrainSteps.SequenceEqual(paper.PgdTrainSteps), $"PGD training iterations {{{string.Join(", ", c.PgdTrainSteps)}}} (paper: 10–50)");
        Check(c.JointEpochs != paper.JointEpochs, $"{c.JointEpochs} joint epochs (paper: 100)");
        Check(c.JointPerClass is not null, $"joint training on {c.JointPerClass} images per class (paper: all 5000)");
        Check(c.EvalPerClass is not null, $"evaluation on {c.EvalPerClass} test images per class (paper: all 1000)");
        return d;
    }
}
