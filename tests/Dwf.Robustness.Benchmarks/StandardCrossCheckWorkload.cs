using System.Diagnostics;
using Dwf.Robustness.Attacks;
using Dwf.Robustness.Data;
using Dwf.Robustness.Defaults;
using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Persistence;
using TorchSharp;

namespace Dwf.Robustness.Benchmarks;

/// <summary>
/// The library's side of <c>python/crosscheck_autoattack.py --standard</c>: a model saved with its manifest (an expert or
/// a whole mixture), N CIFAR-10 test images from an offset (chunks of one image range can run in separate processes), the library's <c>aa-standard</c> plan (APGD-CE → APGD-T(9) →
/// FAB-T(9) → Square 5,000) in L∞ 8/255 or L2 0.5. A mixture is attacked as a whole, through its gate; the adaptive
/// checks are off so that exactly AutoAttack's four attacks decide. Writes the schema-2 report (per-image outcomes).
/// </summary>
internal static class StandardCrossCheckWorkload
{
    public static void Run(string modelPath, ThreatModel threat, int offset, int n, string archive, string reportPath)
    {
        using var all = Cifar10Reader.Load(archive, Cifar10Split.Test);
        if (offset < 0 || n < 1 || offset + n > all.Count)
        {
            throw new ArgumentException($"Images [{offset}, {offset + n}) are not within the {all.Count} test images.");
        }

        using var test = new ImageDataset(all.Images.narrow(0, offset, n).clone(), all.Labels.narrow(0, offset, n).clone(), all.ClassNames);
        var manifest = ModelManifest.Read(ModelManifest.PathFor(modelPath));
        using torch.nn.Module<torch.Tensor, torch.Tensor> model = manifest.Kind == ModelKind.Mixture
            ? SavedModel.LoadMixture(modelPath)
            : SavedModel.LoadExpert(modelPath).Module;
        double eps = threat == ThreatModel.Linf ? Epsilon.Cifar10Default : AutoAttackDefaults.Cifar10L2Epsilon;
        var options = new EvaluationOptions
        {
            Plan = EvaluationPlans.AutoAttackStandard(eps, threatModel: threat), BatchSize = 250,
            SanityChecks = false, AdaptiveMixtureChecks = false,
        };
        var clock = Stopwatch.StartNew();
        var report = new RobustnessEvaluator(options).Evaluate(model, test, Path.GetFileNameWithoutExtension(modelPath));
        ReportJson.Write(report, reportPath);
        Console.WriteLine($"{manifest.Kind} {modelPath}, {threat} ε = {eps:F6}, test images {offset}…{offset + n - 1}, {torch.get_num_threads()} threads");
        Console.WriteLine($"clean {report.CleanAccuracy:F4}");
        foreach (var a in report.Attacks)
        {
            Console.WriteLine($"{a.Attack}: {a.Accuracy:F4}");
        }

        Console.WriteLine($"aa-standard robust accuracy: {report.RobustAccuracyAt(eps):F4}; {clock.Elapsed.TotalSeconds:F0} s; report {reportPath}");
    }
}
