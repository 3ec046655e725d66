// QuickStart: a DWF-style defense from the public API on a tiny configuration (under 2 minutes on 2 CPU cores).
// Usage: dotnet run -- [path to cifar-10-binary.tar.gz]   (default: $DWF_CIFAR10)
using Dwf.Robustness.Attacks;
using Dwf.Robustness.Data;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Infrastructure;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Training;
using TorchSharp;

string data = args.Length > 0 ? args[0] : Environment.GetEnvironmentVariable("DWF_CIFAR10") ?? "cifar-10-binary.tar.gz";
CpuAllocator.Tune(); // glibc keeps freed activation memory for the next step (Linux; a no-op elsewhere)
using var full = Cifar10Reader.LoadTrainAndTest(data); // one pass over the archive for both splits
using var train = full.Train.TakePerClass(100);
using var test = full.Test.TakePerClass(20);
var loader = new BatchLoader(train, new BatchLoaderOptions { BatchSize = 100, Seed = 1 });
torch.manual_seed(1);

// Phase 1: experts trained on their own: clean, FGSM with ε drawn per batch, PGD with iterations drawn per batch.
// (The paper: 1 clean + 4 FGSM + 4 PGD full-width ResNet-18s, 150 epochs each.)
var pgd = PaperAttacks.RandomStepsPgd(steps: [2, 3], stepSize: 4.0 / 255);
var plan = new (IExpert Expert, IAttack? Attack)[]
{
    (Expert.ResNet18("clean", ExpertKind.Clean, width: 0.125), null),
    (Expert.ResNet18("fgsm", ExpertKind.Fgsm, width: 0.125), PaperAttacks.RandomEpsilonFgsm()),
    (Expert.ResNet18("pgd", ExpertKind.Pgd, width: 0.125), pgd),
};
foreach (var (expert, attack) in plan)
{
    new ExpertTrainer(new ExpertTrainingOptions { Epochs = 2, Attack = attack }).Fit(expert, loader);
}

// Phase 2: a soft gate weights every expert; gate and experts train end to end on benign + FGSM + PGD batches.
using var dwf = new MixtureOfExperts(plan.Select(p => p.Expert));
new JointTrainer(new JointTrainingOptions { Epochs = 1, PgdAttack = pgd }).Fit(dwf, loader);

// Evaluation attacks the whole mixture, through its gate.
var options = new EvaluationOptions { FgsmEpsilons = [8.0 / 255], PgdSteps = [10] };
var report = new RobustnessEvaluator(options).Evaluate(dwf, test, "dwf-quickstart");
Console.WriteLine($"clean accuracy {report.CleanAccuracy:P1}; PGD-10 (ε=8/255) accuracy {report.AccuracyUnder(Dwf.Robustness.Attacks.AttackFamily.Pgd, 8.0 / 255, 10):P1}");
foreach (var warning in report.Warnings)
{
    Console.WriteLine($"warning [{warning.Code}]: {warning.Message}");
}
