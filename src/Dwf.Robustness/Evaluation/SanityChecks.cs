using System.Globalization;
using Dwf.Robustness.Attacks;
using Dwf.Robustness.Data;
using Dwf.Robustness.Infrastructure;
using Dwf.Robustness.Routing;
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
    public static void CheckLogits(Tensor logits, List<EvaluationWarning> warnings)
    {
        using var scope = NewDisposeScope();
        bool nonNegative = logits.min().to(ScalarType.Float64).item<double>() >= -1e-6;
        bool sumToOne = (logits.sum(1) - 1).abs().max().to(ScalarType.Float64).item<double>() < 1e-4;
        if (nonNegative && sumToOne)
        {
            warnings.Add(new EvaluationWarning(WarningCode.ProbabilitiesNotLogits, "The model's outputs look like probabilities (non-negative, rows sum to 1), not logits: " +
                         "cross-entropy gradients through a softmax of probabilities are weak, which masks gradients. Return logits."));
        }
    }

    /// <summary>
    /// The same images twice must give the same logits; a randomized model is named in a warning that says whether the
    /// gradient attacks averaged their gradients over several passes (<paramref name="expectation"/> &gt; 1).
    /// </summary>
    public static void CheckDeterministic(nn.Module<Tensor, Tensor> model, Tensor images, Tensor logits, int expectation, List<EvaluationWarning> warnings)
    {
        using var scope = NewDisposeScope();
        double difference = Difference(model, images, logits);
        if (difference > 0)
        {
            warnings.Add(new EvaluationWarning(WarningCode.RandomizedModel, expectation > 1
                ? $"The model gave different logits for the same images twice (max difference {F(difference)}): it is randomized. The gradient attacks averaged every gradient over {expectation} passes " +
                  "(expectation over transformation, EvaluationOptions.ExpectationSamples); its robust accuracy is itself a random outcome, and a stronger estimate (more passes) may lower it."
                : $"The model gave different logits for the same images twice (max difference {F(difference)}): it is randomized. " +
                  "Gradient attacks on a randomized model need expectation over transformation (averaged gradients), which this evaluation did not run (EvaluationOptions.ExpectationSamples = 1); its robust accuracy is an upper bound."));
        }
    }

    /// <summary>Whether the model gives different logits for the first images twice (two forward passes): the test that switches expectation over transformation on.</summary>
    public static bool IsRandomized(nn.Module<Tensor, Tensor> model, Tensor images)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return Difference(model, images, model.call(images)) > 0;
    }

    /// <summary>Images <see cref="IsRandomized"/> looks at.</summary>
    public const int RandomnessImages = 64;

    /// <summary>The largest logit difference between <paramref name="logits"/> and a second pass on <paramref name="images"/>, 0 when within 1e-5 of the logits' scale.</summary>
    private static double Difference(nn.Module<Tensor, Tensor> model, Tensor images, Tensor logits)
    {
        using var noGrad = no_grad();
        var again = model.call(images);
        double difference = (again - logits).abs().max().item<float>();
        double scale = Math.Max(1.0, logits.abs().max().item<float>());
        return difference > 1e-5 * scale ? difference : 0;
    }

    /// <summary>
    /// The adaptive checks of a mixture (gate detached, transfer from an expert) lowered the per-image worst case at an
    /// ε clearly below what the attacks through the gate left: robust accuracy over the direct attacks alone against
    /// robust accuracy over all of them, image by image (an image counts when it survives every attack in the set).
    /// Comparing single-attack minima instead would miss adaptive attacks that break other images than the direct ones
    /// and flag ones that only break images the direct attacks broke too.
    /// </summary>
    public static void CheckAdaptive(IReadOnlyList<AttackResult> results, List<EvaluationWarning> warnings)
    {
        foreach (var group in results.GroupBy(r => Math.Round(r.Epsilon, 9)))
        {
            var direct = group.Where(r => r.Surrogate is null).ToList();
            var adaptive = group.Where(r => r.Surrogate is not null).ToList();
            if (direct.Count == 0 || adaptive.Count == 0)
            {
                continue;
            }

            double before = Robust(direct), after = Robust(group.ToList());
            if (before - after > Tolerance(before, adaptive[0].Total))
            {
                var worst = adaptive.MinBy(r => r.Accuracy)!;
                warnings.Add(new EvaluationWarning(WarningCode.AdaptiveAttacksStronger, $"At ε={F(group.Key)} the adaptive checks lowered robust accuracy from {F(before)} to {F(after)} (per image, worst case over the attacks; strongest alone: {worst.Surrogate}): " +
                             "attacking through the gate was weaker than attacking around it, a sign that the gate masks gradients (by design when the routing is hard: a top-k or argmax choice passes no gradient). The worst case per ε includes the adaptive attacks."));
            }
        }
    }

    /// <summary>The share of images correct under every attack of <paramref name="results"/>; the smallest single accuracy when some result has no per-image outcomes (schema 1).</summary>
    private static double Robust(IReadOnlyList<AttackResult> results)
    {
        if (results.Any(r => r.Outcomes is null))
        {
            return results.Min(r => r.Accuracy);
        }

        var robust = SampleOutcomes.CorrectUnderAll(results.Select(r => r.Outcomes!.ToArray()));
        return robust.Length == 0 ? 0 : (double)robust.Count(c => c) / robust.Length;
    }

    /// <summary>An iterative attack (PGD, APGD) weaker than FGSM at the same ε; more PGD steps giving higher accuracy in a sweep.</summary>
    public static void CheckSweep(IReadOnlyList<AttackResult> results, List<EvaluationWarning> warnings)
    {
        var fgsm = results.Where(r => r.Descriptor.Family == AttackFamily.Fgsm && !r.Descriptor.Targeted).ToList();
        var iterative = results.Where(r => r.Descriptor.Family is AttackFamily.Pgd or AttackFamily.Apgd && !(r.Descriptor.Targeted && r.Descriptor.TargetClasses == 0)).ToList();
        var pgd = results.Where(r => r.Descriptor.Family == AttackFamily.Pgd && r.Kind == StageKind.Sweep && !r.Descriptor.Targeted).ToList();
        foreach (var p in iterative)
        {
            var f = fgsm.FirstOrDefault(x => Epsilon.SameBudget(x.Epsilon, p.Epsilon));
            if (f is not null && p.Accuracy > f.Accuracy + Tolerance(f.Accuracy, f.Total))
            {
                warnings.Add(new EvaluationWarning(WarningCode.IterativeWeakerThanFgsm, $"{p.Attack} leaves accuracy {F(p.Accuracy)}, higher than FGSM's {F(f.Accuracy)} at the same ε: " +
                             "an iterative attack weaker than a single step suggests gradient masking or a too-small step size."));
            }
        }

        foreach (var group in pgd.GroupBy(p => (p.Epsilon, p.Descriptor.Loss, p.Descriptor.Restarts)))
        {
            var ordered = group.OrderBy(p => p.Descriptor.Steps).ToList();
            for (int i = 1; i < ordered.Count; i++)
            {
                if (ordered[i].Accuracy > ordered[i - 1].Accuracy + Tolerance(ordered[i - 1].Accuracy, ordered[i].Total))
                {
                    warnings.Add(new EvaluationWarning(WarningCode.MoreStepsHigherAccuracy, $"More PGD steps gave higher accuracy at ε={F(group.Key.Epsilon)}: {ordered[i - 1].Descriptor.Steps} steps {F(ordered[i - 1].Accuracy)}, " +
                                 $"{ordered[i].Descriptor.Steps} steps {F(ordered[i].Accuracy)}. A stronger attack should never help the model: suspect randomness or masking."));
                }
            }
        }
    }

    /// <summary>
    /// Route weights whose input gradient is exactly zero (a hard selection, a top-1 gate): gradient attacks through the
    /// model cannot move the routing, so they may miss inputs the routing would send to a weaker part. Harmless when
    /// the adaptive targets (surrogates around the routing, per-part attacks) were attacked too; a warning when not.
    /// </summary>
    /// <param name="routed">The model under evaluation.</param>
    /// <param name="images">The first images of the evaluation (at most 200 of its first batch).</param>
    /// <param name="adaptiveChecksRun">Whether the evaluation ran any adaptive attack on the model's targets.</param>
    /// <param name="warnings">Where a finding goes.</param>
    public static void CheckRoutingGradient(IRoutedModel routed, Tensor images, bool adaptiveChecksRun, List<EvaluationWarning> warnings)
    {
        if (adaptiveChecksRun || routed.RouteNames.Count < 2)
        {
            return;
        }

        double share = ZeroRoutingGradientShare(routed, images);
        if (share > ZeroGradientShare)
        {
            warnings.Add(new EvaluationWarning(WarningCode.RoutingGradientZero, $"The routing weights have an exactly zero input gradient for {F(100 * share)}% of the images checked: the selection is not " +
                         "differentiable, so attacks through the model cannot steer which part answers, and no adaptive attack ran (they are switched off, " +
                         "EvaluationOptions.AdaptiveMixtureChecks, or the plan has no untargeted PGD/APGD for them to reuse). " +
                         "The robust accuracy is an upper bound: evaluate with the adaptive checks on and a PGD or APGD attack in the plan."));
        }
    }

    /// <summary>Share of <paramref name="images"/> whose route weights, projected on a fixed direction, have an all-zero input gradient.</summary>
    internal static double ZeroRoutingGradientShare(IRoutedModel routed, Tensor images)
    {
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var input = images.detach().requires_grad_(true);
        var weights = routed.Route(input).Weights;
        if (!weights.requires_grad)
        {
            return 1.0; // no path from the input to the weights at all
        }

        // A fixed, unequal coefficient per route: the weights of a row sum to 1, so their plain sum has no gradient.
        var coefficients = arange(1, weights.shape[1] + 1, dtype: weights.dtype, device: weights.device);
        // + 0·Σx keeps the input in the graph when the weights depend on parameters only (an all-zero gradient then).
        var projected = (weights * coefficients).sum() + 0 * input.sum();
        var gradient = autograd.grad(new[] { projected }, new[] { input })[0];
        return (gradient.abs().flatten(1).sum(1) == 0).to(ScalarType.Float32).mean().item<float>();
    }

    /// <summary>Zero input gradients on a share of images, and accuracy not near zero at a very large ε.</summary>
    public static void CheckGradientsAndLargeEpsilon(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, bool[] clean, EvaluationOptions options, List<EvaluationWarning> warnings)
    {
        int take = (int)x.shape[0];
        using (enable_grad())
        {
            var input = x.detach().requires_grad_(true);
            var loss = nn.functional.cross_entropy(model.call(input), y, reduction: nn.Reduction.Sum);
            var gradient = autograd.grad(new[] { loss }, new[] { input })[0];
            double zeroShare = (gradient.abs().flatten(1).sum(1) == 0).to(ScalarType.Float32).mean().item<float>();
            if (zeroShare > ZeroGradientShare)
            {
                warnings.Add(new EvaluationWarning(WarningCode.ZeroInputGradient, $"The input gradient is exactly zero for {F(100 * zeroShare)}% of the images checked: gradient-based attacks cannot work there " +
                             "(quantization, thresholding or saturation masks gradients), so the robust accuracy is not trustworthy. " +
                             "Evaluate with a gradient-free or adaptive attack."));
            }
        }

        var index = Enumerable.Range(0, take).Where(i => clean[i]).Select(i => (long)i).ToArray();
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
            warnings.Add(new EvaluationWarning(WarningCode.LargeEpsilonAccuracy, $"PGD-20 at ε={F(eps)} leaves accuracy {F(accuracy)} on {index.Length} correctly classified images; a budget that large " +
                         "should drive accuracy to about 0. Gradient masking is likely: the reported robustness is not trustworthy."));
        }
    }
}
