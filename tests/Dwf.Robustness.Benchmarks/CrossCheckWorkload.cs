using System.Diagnostics;
using Dwf.Robustness.Attacks;
using Dwf.Robustness.Data;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Training;
using Dwf.Robustness.Persistence;

namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// The library's side of the AutoAttack cross-check (python/crosscheck_autoattack.py is the reference side): one
/// expert file, the first N CIFAR-10 test images, APGD-CE and APGD-T as a sweep (each on every clean-correct image)
/// and their per-image AND (what the cascade keeps). Writes the schema-2 report for a per-image comparison.
/// </summary>
internal static class CrossCheckWorkload
{
    public static void Run(string modelPath, double width, int n, int steps, int targets, string archive, string reportPath)
    {
        using var test = Cifar10Reader.Load(archive, Cifar10Split.Test);
        var expert = Expert.ResNet18("crosscheck", ExpertKind.Pgd, 10, width);
        ModelFile.Load(expert.Module, modelPath);
        expert.Module.eval();
        double eps = Epsilon.Cifar10Default;
        var plan = new EvaluationPlan("crosscheck", [new EvaluationStage("apgd", StageKind.Sweep, [new Apgd(eps, steps), Apgd.TargetedDlr(eps, targets, steps)])]);
        var options = new EvaluationOptions { Plan = plan, FirstN = n, BatchSize = 250, SanityChecks = false };
        var clock = Stopwatch.StartNew();
        var report = new RobustnessEvaluator(options).Evaluate(expert.Module, test, Path.GetFileNameWithoutExtension(modelPath));
        ReportJson.Write(report, reportPath);
        Console.WriteLine($"clean {report.CleanAccuracy:F4} ({report.CleanInterval.Lower:F4}–{report.CleanInterval.Upper:F4})");
        foreach (var a in report.Attacks)
        {
            Console.WriteLine($"{a.Attack}: {a.Accuracy:F4} ({a.Interval.Lower:F4}–{a.Interval.Upper:F4})");
        }

        Console.WriteLine($"APGD-CE ∧ APGD-T (cascade set): {report.RobustAccuracyAt(eps):F4}; {clock.Elapsed.TotalSeconds:F0} s; report {reportPath}");
    }
}
