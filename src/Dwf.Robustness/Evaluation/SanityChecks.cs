using System.Globalization;
using Dwf.Robustness.Attacks;
using Dwf.Robustness.Data;
using Dwf.Robustness.Infrastructure;
using static TorchSharp.torch;

namespace Dwf.Robustness.Evaluation;

/// <summary>
/// Checks in the spirit of AutoAttack's: each finding is a reason to distrust the robustness numbers (gradient
/// masking, a weak attack, a misconfigured model), reported as a warning in the report.
/// </summary>
internal static class SanityChecks
{
    /// <summary>Smallest accuracy margin (absolute) treated as noise.</summary>
    public const double MinimumTolerance = 0.01;

    /// <summary>
    /// The margin random starts can explain between two attacks on <paramref name="total"/> images: 1.5 standard
    /// errors of a proportion near <paramref name="accuracy"/>, and at least <see cref="MinimumTolerance"/>. On the full
    /// CIFAR-10 test set this is about 1%; on a few hundred images a few percent.
    /// </summary>
    public static double Tolerance(double accuracy, int total) =>
        Math.Max(MinimumTolerance, 1.5 * Math.Sqrt(Math.Max(accuracy * (1 - accuracy), 0.01) / Math.Max(total, 1)));

    /// <summary>Share of images with an all-zero input gradient above which masking is suspected.</summary>
    public const double ZeroGradientShare = 0.01;

    /// <summary>Accuracy at the large sanity ε above which masking is suspected.</summary>
    public const double LargeEpsilonAccuracy = 0.05;

    private static string F(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>Outputs that look like probabilities (non-negative rows summing to 1) instead of logits.</summary>
    public static void CheckLogits(Tensor logits, List<string> warnings)
    {
        using var scope = NewDisposeScope();
        bool nonNegative = logits.min().to(ScalarType.Float64).item<double>() >= -1e-6;
        bool sumToOne = (logits.sum(1) - 1).abs().max().to(ScalarType.Float64).item<double>() < 1e-4;
        if (nonNegative && sumToOne)
        {
            warnings.Add("The model's outputs look like probabilities (non-negative, rows sum to 1), not logits: " +
                         "cross-entropy gradients through a softmax of probabilities are weak, which masks gradients. Return logits.");
        }
    }

    /// <summary>PGD weaker than FGSM at the same ε; more PGD steps giving higher accuracy.</summary>
    public static void CheckSweep(IReadOnlyList<AttackResult> results, List<string> warnings)
    {
        var fgsm = results.Where(r => r.Family == "FGSM").ToList();
        var pgd = results.Where(r => r.Family == "PGD").ToList();
        foreach (var p in pgd)
        {
            var f = fgsm.FirstOrDefault(x => Math.Abs(x.Epsilon - p.Epsilon) < 1e-9);
            if (f is not null && p.Accuracy > f.Accuracy + Tolerance(f.Accuracy, f.Total))
            {
                warnings.Add($"{p.Attack} leaves accuracy {F(p.Accuracy)}, higher than FGSM's {F(f.Accuracy)} at the same ε: " +
                             "an iterative attack weaker than a single step suggests gradient masking or a too-small step size.");
            }
        }

        foreach (var group in pgd.GroupBy(p => p.Epsilon))
        {
            var ordered = group.OrderBy(p => p.Steps).ToList();
            for (int i = 1; i < ordered.Count; i++)
            {
                if (ordered[i].Accuracy > ordered[i - 1].Accuracy + Tolerance(ordered[i - 1].Accuracy, ordered[i].Total))
                {
                    warnings.Add($"More PGD steps gave higher accuracy at ε={F(group.Key)}: {ordered[i - 1].Steps} steps {F(ordered[i - 1].Accuracy)}, " +
                                 $"{ordered[i].Steps} steps {F(ordered[i].Accuracy)}. A stronger attack should never help the model: suspect randomness or masking.");
                }
            }
        }
    }

    /// <summary>Zero input gradients on a share of images, and accuracy not near zero at a very large ε.</summary>
    public static void CheckGradientsAndLargeEpsilon(nn.Module<Tensor, Tensor> model, Batch batch, bool[] clean, EvaluationOptions options, List<string> warnings)
    {
        int take = Math.Min(batch.Size, 200);
        var x = batch.Images.narrow(0, 0, take);
        var y = batch.Labels.narrow(0, 0, take);
        using (enable_grad())
        {
            var input = x.detach().requires_grad_(true);
            var loss = nn.functional.cross_entropy(model.call(input), y, reduction: nn.Reduction.Sum);
            var gradient = autograd.grad(new[] { loss }, new[] { input })[0];
            double zeroShare = (gradient.abs().flatten(1).sum(1) == 0).to(ScalarType.Float32).mean().item<float>();
            if (zeroShare > ZeroGradientShare)
            {
                warnings.Add($"The input gradient is exactly zero for {zeroShare:P0} of the images checked: gradient-based attacks cannot work there " +
                             "(quantization, thresholding or saturation masks gradients), so the robust accuracy is not trustworthy. " +
                             "Evaluate with a gradient-free or adaptive attack.");
            }
        }

        var index = RobustnessEvaluator.CleanCorrectIndices(clean, 0, take).Select(i => (long)i).ToArray();
        if (index.Length == 0)
        {
            return;
        }

        using var idx = tensor(index).to(x.device);
        var xs = x.index_select(0, idx);
        var ys = y.index_select(0, idx);
        double eps = options.SanityEpsilon;
        using var generator = Seeds.Generator(options.Seed, -1); // -1: no attack of the sweep uses this path
        var adversarial = new Pgd(eps, eps / 8, steps: 20, randomStart: true).Perturb(model, xs, ys, generator);
        using var noGrad = no_grad();
        double accuracy = model.call(adversarial).argmax(1).eq(ys).to(ScalarType.Float32).mean().item<float>();
        if (accuracy > LargeEpsilonAccuracy)
        {
            warnings.Add($"PGD-20 at ε={F(eps)} leaves accuracy {F(accuracy)} on {index.Length} correctly classified images; a budget that large " +
                         "should drive accuracy to about 0. Gradient masking is likely: the reported robustness is not trustworthy.");
        }
    }
}
