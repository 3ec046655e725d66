// A downstream console app: the team's own network wrapped as experts, a soft-gated mixture of them, adversarial
// training, and an evaluation that attacks the whole mixture through its gate. Runs in well under a minute on a CPU.
// Usage: dotnet run -f net8.0   (or -f net10.0)
using System.Runtime.InteropServices;
using Downstream.App;
using Dwf.Robustness;
using Dwf.Robustness.Attacks;
using Dwf.Robustness.Data;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Training;

Console.WriteLine($"Dwf.Robustness {DwfInfo.Version} on {RuntimeInformation.FrameworkDescription}");
using var train = ToyImages.Make(800, seed: 1);
using var test = ToyImages.Make(200, seed: 2);
var loader = new BatchLoader(train, new BatchLoaderOptions { BatchSize = 50, Augment = false, Seed = 1 });

// 1. Experts: the team's network, wrapped; one trained on clean images, one against PGD.
var pgd = new Pgd(epsilon: 8.0 / 255, stepSize: 3.0 / 255, steps: 3);
IExpert[] experts =
[
    new Expert(new SmallNet(ToyImages.Classes, seed: 1), "clean", ToyImages.Classes, ExpertKind.Clean),
    new Expert(new SmallNet(ToyImages.Classes, seed: 2), "pgd", ToyImages.Classes, ExpertKind.Pgd),
];
var progress = new ConsoleProgress();
new ExpertTrainer(new ExpertTrainingOptions { Epochs = 3 }).Fit(experts[0], loader, progress: progress);
new ExpertTrainer(new ExpertTrainingOptions { Epochs = 3, Attack = pgd }).Fit(experts[1], loader, progress: progress);

// 2. A mixture: a soft gate weights both experts; gate and experts train together on benign + adversarial batches.
using var mixture = new MixtureOfExperts(experts, new SoftGate(experts.Length, width: 4));
new JointTrainer(new JointTrainingOptions { Epochs = 1, PgdAttack = pgd }).Fit(mixture, loader, progress: progress);

// 3. Evaluation: every attack goes through the whole mixture, gate included.
var options = new EvaluationOptions { FgsmEpsilons = [8.0 / 255], PgdEpsilons = [8.0 / 255], PgdSteps = [10], BatchSize = 100 };
var report = new RobustnessEvaluator(options).Evaluate(mixture, test, "downstream-mixture", datasetName: "toy images");
double? pgdAccuracy = report.AccuracyUnder(AttackFamily.Pgd, 8.0 / 255, 10);
Console.WriteLine($"clean accuracy {report.CleanAccuracy:P1} ({report.CleanInterval.Lower:P1}–{report.CleanInterval.Upper:P1}); PGD-10 (ε=8/255) accuracy {pgdAccuracy:P1}; {report.Samples} images");
foreach (var warning in report.Warnings)
{
    Console.WriteLine($"warning [{warning.Code}]: {warning.Message}");
}
