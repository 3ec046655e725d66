using System.Diagnostics;
using Dwf.Robustness.Data;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Training;
using Dwf.Robustness.Persistence;
using static TorchSharp.torch;

namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// Time of the AutoAttack plans on one expert and on a 9-expert mixture from a run folder (weights written by the
/// sample), and the cascade against the same attacks as a sweep: plans [expert|mixture] [rapid|standard] [cascade|sweep] [n].
/// </summary>
internal static class PlansWorkload
{
    public static void Run(string runFolder, string target, string plan, string kind, int n, string archive)
    {
        using var test = Cifar10Reader.Load(archive, Cifar10Split.Test);
        using var model = target == "mixture" ? (nn.Module<Tensor, Tensor>)LoadMixture(runFolder) : LoadExpert(runFolder, "pgd-1").Module;
        model.eval();
        double eps = Attacks.Epsilon.Cifar10Default;
        var ready = plan == "standard" ? EvaluationPlans.AutoAttackStandard(eps) : EvaluationPlans.AutoAttackRapid(eps);
        if (kind == "sweep")
        {
            ready = ready with { Stages = ready.Stages.Select(s => s with { Kind = StageKind.Sweep }).ToList() };
        }

        var options = new EvaluationOptions { Plan = ready, FirstN = n, BatchSize = 250, SanityChecks = false, AdaptiveMixtureChecks = false };
        var clock = Stopwatch.StartNew();
        var report = new RobustnessEvaluator(options).Evaluate(model, test, $"{target}");
        Console.WriteLine($"{target} {ready.Name} {kind} n={n}: {clock.Elapsed.TotalSeconds:F0} s; clean {report.CleanAccuracy:P1}; " +
                          string.Join("; ", report.Attacks.Select(a => $"{a.Attack} {a.Accuracy:P1}")) + $"; robust at 8/255 {report.RobustAccuracyAt(eps):P1}; " +
                          $"{get_num_threads()} threads, peak RSS {Measure.PeakRssMb():F0} MB");
    }

    private static Expert LoadExpert(string runFolder, string name)
    {
        var expert = Expert.ResNet18(name, ExpertKind.Pgd, 10, Width(runFolder));
        ModelFile.Load(expert.Module, Path.Combine(runFolder, "experts", $"{name}.bin"));
        return expert;
    }

    private static MixtureOfExperts LoadMixture(string runFolder)
    {
        string[] names = ["clean-1", "fgsm-1", "fgsm-2", "fgsm-3", "fgsm-4", "pgd-1", "pgd-2", "pgd-3", "pgd-4"];
        var experts = names.Select(n => (IExpert)Expert.ResNet18(n, ExpertKind.Pgd, 10, Width(runFolder))).ToList();
        var mixture = new MixtureOfExperts(experts, new SoftGate(experts.Count, width: GateWidth(runFolder)));
        ModelFile.Load(mixture, Path.Combine(runFolder, "joint", "dwf.bin"));
        return mixture;
    }

    private static double Width(string runFolder) => Config(runFolder).GetProperty("ExpertWidth").GetDouble();

    private static int GateWidth(string runFolder) => 16; // the sample's SoftGate default

    private static System.Text.Json.JsonElement Config(string runFolder) =>
        System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(runFolder, "config.json"))).RootElement;
}
