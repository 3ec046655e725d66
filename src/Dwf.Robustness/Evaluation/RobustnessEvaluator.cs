using System.Diagnostics;
using Dwf.Robustness.Attacks;
using Dwf.Robustness.Data;
using Dwf.Robustness.Infrastructure;
using Dwf.Robustness.Moe;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace Dwf.Robustness.Evaluation;

/// <summary>
/// Evaluates any classifier — one expert or a whole mixture, always attacked as a whole (through the gate) — on a
/// test set: clean accuracy, FGSM and PGD sweeps, the per-sample worst case over every attack, per-class accuracy,
/// a mixture's gate weights, and checks that flag signs of gradient masking. Attacks run only on images the model
/// classifies correctly when clean (AutoAttack's convention); the others count as failures.
/// </summary>
public sealed class RobustnessEvaluator
{
    private readonly ILogger _logger;

    /// <summary>Creates an evaluator.</summary>
    /// <param name="options">Validated immediately; defaults when null.</param>
    /// <param name="logger">One line per attack; <see cref="NullLogger"/> when null.</param>
    public RobustnessEvaluator(EvaluationOptions? options = null, ILogger? logger = null)
    {
        Options = options ?? new EvaluationOptions();
        Options.Validate();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The options in force.</summary>
    public EvaluationOptions Options { get; }

    /// <summary>Runs the evaluation.</summary>
    /// <param name="model">Takes [0,1] images, returns logits; its train/eval mode is restored afterwards.</param>
    /// <param name="testSet">Test images (the subset options apply to it).</param>
    /// <param name="modelName">Name recorded in the report.</param>
    /// <param name="datasetName">Description of the data recorded in the report.</param>
    /// <param name="device">Where the model lives; CPU when null.</param>
    /// <param name="progress">One report per batch of every stage.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <returns>The report.</returns>
    public RobustnessReport Evaluate(
        nn.Module<Tensor, Tensor> model,
        Cifar10Dataset testSet,
        string modelName,
        string datasetName = "CIFAR-10 test",
        Device? device = null,
        IProgress<EvaluationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(testSet);
        var clock = Stopwatch.StartNew();
        var warnings = new List<string>();
        InputGuards.CheckFiniteParameters(model);
        using var evalMode = EvalModeScope.Enter(model);
        if (evalMode.WasTraining)
        {
            warnings.Add("The model was in training mode; it was evaluated in eval mode. Call model.eval() before using it for inference.");
        }

        var (data, ownsData, description) = Subset(testSet, datasetName);
        try
        {
            var loader = new BatchLoader(data, new BatchLoaderOptions { BatchSize = Options.BatchSize, Shuffle = false, Augment = false }, device);
            var attacks = Options.Attacks();
            int stages = attacks.Count + 1 + (Options.SanityChecks ? 1 : 0);
            var mixture = model as MixtureOfExperts;
            int gateAttack = GateAttackIndex(attacks);
            var gateClean = mixture is null ? null : new double[mixture.Experts.Count];
            var gateAttacked = mixture is null ? null : new double[mixture.Experts.Count];
            long gateAttackedCount = 0;

            var labels = data.Labels.data<long>().ToArray();
            int n = labels.Length;
            var clean = new bool[n];
            RunStage("clean", 0, stages, loader, progress, cancellationToken, (batch, offset, _) =>
            {
                using var noGrad = no_grad();
                var logits = Predict(model, mixture, batch.Images, gateClean);
                CopyCorrect(logits, batch.Labels, clean, offset, null);
                if (offset == 0 && Options.SanityChecks)
                {
                    SanityChecks.CheckLogits(logits, warnings);
                }
            });

            var perAttack = new List<bool[]>();
            var results = new List<AttackResult>();
            for (int a = 0; a < attacks.Count; a++)
            {
                var (family, epsilon, steps, attack) = attacks[a];
                var correct = new bool[n];
                int attackIndex = a;
                RunStage(attack.Name, a + 1, stages, loader, progress, cancellationToken, (batch, offset, b) =>
                {
                    var index = CleanCorrectIndices(clean, offset, batch.Size);
                    if (index.Length == 0)
                    {
                        return;
                    }

                    using var idx = tensor(index.Select(i => (long)(i - offset)).ToArray()).to(batch.Images.device);
                    var x = batch.Images.index_select(0, idx);
                    var y = batch.Labels.index_select(0, idx);
                    using var generator = Seeds.Generator(Options.Seed, attackIndex, b);
                    var adversarial = attack.Perturb(model, x, y, generator);
                    using var noGrad = no_grad();
                    bool trackGate = attackIndex == gateAttack && mixture is not null;
                    var logits = Predict(model, mixture, adversarial, trackGate ? gateAttacked : null);
                    if (trackGate)
                    {
                        gateAttackedCount += index.Length;
                    }

                    CopyCorrect(logits, y, correct, offset, index);
                });

                perAttack.Add(correct);
                int hits = correct.Count(c => c);
                results.Add(new AttackResult(attack.Name, family, epsilon, steps, (double)hits / n, hits, n));
                _logger.LogInformation("{Model}: {Attack} accuracy {Accuracy:P2}", modelName, attack.Name, (double)hits / n);
            }

            var robust = clean.Select((c, i) => c && perAttack.All(p => p[i])).ToArray();
            if (Options.SanityChecks)
            {
                SanityChecks.CheckSweep(results, warnings);
                RunStage("sanity", stages - 1, stages, loader, progress, cancellationToken, (batch, offset, b) =>
                {
                    if (offset == 0)
                    {
                        SanityChecks.CheckGradientsAndLargeEpsilon(model, batch, clean, Options, warnings);
                    }
                });
            }

            int classes = data.ClassNames.Count;
            GateReport? gate = mixture is null ? null : new GateReport(
                mixture.Experts.Select(e => e.Name).ToArray(),
                gateClean!.Select(s => s / n).ToArray(),
                gateAttacked!.Select(s => gateAttackedCount == 0 ? double.NaN : s / gateAttackedCount).ToArray(),
                gateAttack >= 0 ? attacks[gateAttack].Attack.Name : "none");
            foreach (var w in warnings)
            {
                _logger.LogWarning("{Model}: {Warning}", modelName, w);
            }

            return new RobustnessReport(
                RobustnessReport.CurrentSchemaVersion,
                modelName,
                description,
                n,
                EvaluationSettings.From(Options),
                (double)clean.Count(c => c) / n,
                results,
                (double)robust.Count(c => c) / n,
                data.ClassNames.ToArray(),
                PerClass(clean, labels, classes),
                PerClass(robust, labels, classes),
                gate,
                warnings,
                clock.Elapsed.TotalSeconds,
                DateTimeOffset.UtcNow);
        }
        finally
        {
            if (ownsData)
            {
                data.Dispose();
            }
        }
    }

    private (Cifar10Dataset Data, bool Owns, string Description) Subset(Cifar10Dataset testSet, string name)
    {
        if (Options.PerClass is { } perClass)
        {
            return (testSet.TakePerClass(perClass), true, $"{name}, first {perClass} per class");
        }

        if (Options.FirstN is { } first && first < testSet.Count)
        {
            return (testSet.Take(first), true, $"{name}, first {first}");
        }

        return (testSet, false, $"{name}, all {testSet.Count}");
    }

    private static void RunStage(
        string stage, int stageIndex, int stages, BatchLoader loader, IProgress<EvaluationProgress>? progress,
        CancellationToken cancellationToken, Action<Batch, int, int> body)
    {
        int offset = 0, b = 0;
        foreach (var batch in loader.Epoch(0))
        {
            using (batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using (NewDisposeScope())
                {
                    body(batch, offset, b);
                }

                offset += batch.Size;
                b++;
                progress?.Report(new EvaluationProgress(stage, stageIndex, stages, offset, loader.Count));
            }
        }
    }

    private static Tensor Predict(nn.Module<Tensor, Tensor> model, MixtureOfExperts? mixture, Tensor images, double[]? gateSums)
    {
        if (mixture is null || gateSums is null)
        {
            return model.call(images);
        }

        var output = mixture.ForwardDetailed(images);
        var sums = output.GateWeights.sum(new long[] { 0 }).to(ScalarType.Float64).cpu().data<double>().ToArray();
        for (int i = 0; i < sums.Length; i++)
        {
            gateSums[i] += sums[i];
        }

        return output.Logits;
    }

    /// <summary>The attack whose adversarial images show the gate under attack: the last PGD of the sweep, else the last attack.</summary>
    private static int GateAttackIndex(IReadOnlyList<(string Family, double Epsilon, int Steps, IAttack Attack)> attacks)
    {
        for (int i = attacks.Count - 1; i >= 0; i--)
        {
            if (attacks[i].Family == "PGD")
            {
                return i;
            }
        }

        return attacks.Count - 1;
    }

    /// <summary>Indices in [offset, offset + size) of images classified correctly when clean.</summary>
    internal static int[] CleanCorrectIndices(bool[] clean, int offset, int size) =>
        Enumerable.Range(offset, size).Where(i => clean[i]).ToArray();

    private static void CopyCorrect(Tensor logits, Tensor labels, bool[] target, int offset, int[]? index)
    {
        var correct = logits.argmax(1).eq(labels).cpu().data<bool>().ToArray();
        for (int i = 0; i < correct.Length; i++)
        {
            target[index is null ? offset + i : index[i]] = correct[i];
        }
    }

    private static double[] PerClass(bool[] correct, long[] labels, int classes)
    {
        var hits = new double[classes];
        var totals = new double[classes];
        for (int i = 0; i < labels.Length; i++)
        {
            totals[labels[i]]++;
            hits[labels[i]] += correct[i] ? 1 : 0;
        }

        return hits.Select((h, c) => totals[c] == 0 ? double.NaN : h / totals[c]).ToArray();
    }
}
