using System.Diagnostics;
using System.Reflection;
using Dwf.Robustness.Attacks;
using Dwf.Robustness.Data;
using Dwf.Robustness.Infrastructure;
using Dwf.Robustness.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Dwf.Robustness.Evaluation;

/// <summary>
/// Evaluates any classifier — one expert or a whole mixture, always attacked as a whole (through the gate) — on a
/// test set under an <see cref="EvaluationPlan"/> (sweeps and AutoAttack-style cascades): clean accuracy, accuracy
/// per attack with Wilson intervals and per-image outcomes, the worst case per ε (never across budgets), per-class
/// accuracy, a mixture's gate weights, and checks that flag signs of gradient masking. Attacks run only on images
/// the model classifies correctly when clean (AutoAttack's convention); the others count as failures.
/// </summary>
public sealed class RobustnessEvaluator
{
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>Creates an evaluator.</summary>
    /// <param name="options">Validated immediately; defaults when null.</param>
    /// <param name="logger">One line per attack; <see cref="NullLogger"/> when null.</param>
    /// <param name="timeProvider">The clock of a report's <c>Seconds</c> and <c>CreatedUtc</c>; <see cref="TimeProvider.System"/> when null.
    /// A test passes a fixed one (e.g. <c>FakeTimeProvider</c>) to compare whole reports.</param>
    public RobustnessEvaluator(EvaluationOptions? options = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        Options = options ?? new EvaluationOptions();
        Options.Validate();
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The options in force.</summary>
    public EvaluationOptions Options { get; }

    /// <summary>Runs the evaluation.</summary>
    /// <param name="model">Takes [0,1] images, returns logits; its train/eval mode is restored afterwards.</param>
    /// <param name="testSet">Test images (the subset options apply to it).</param>
    /// <param name="modelName">Name recorded in the report.</param>
    /// <param name="datasetName">Description of the data recorded in the report.</param>
    /// <param name="device">Where to put the data; the device of the model's first parameter when null (CPU for a model without parameters).</param>
    /// <param name="progress">One report per batch of every stage.</param>
    /// <param name="cancellationToken">Checked between batches; with <paramref name="statePath"/> the work done so far is kept.</param>
    /// <param name="statePath">
    /// Evaluation state file, or null for none: saved atomically after every batch, resumed when it exists (a
    /// stopped evaluation continues at the attack and batch where it stopped and gives the same report as an
    /// uninterrupted one), deleted when the evaluation is complete. A state of another model, data, plan or
    /// setting is refused with an <see cref="InvalidDataException"/>.
    /// </param>
    /// <returns>The report.</returns>
    public RobustnessReport Evaluate(
        nn.Module<Tensor, Tensor> model,
        ImageDataset testSet,
        string modelName,
        string datasetName = "CIFAR-10 test",
        Device? device = null,
        IProgress<EvaluationProgress>? progress = null,
        CancellationToken cancellationToken = default,
        string? statePath = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(testSet);
        var clock = new Clock(_time);
        InputGuards.CheckFiniteParameters(model);
        using var evalMode = EvalModeScope.Enter(model);
        var (data, ownsData, description) = Subset(testSet, datasetName);
        var routed = model as IRoutedModel;
        IReadOnlyList<AdaptiveTarget> targets = routed is not null && Options.AdaptiveMixtureChecks ? routed.AdaptiveTargets() : [];
        try
        {
            device ??= model.parameters().FirstOrDefault()?.device ?? CPU;
            var loader = new BatchLoader(data, new BatchLoaderOptions { BatchSize = Options.BatchSize, Shuffle = false, Augment = false }, device);
            var plan = Options.ResolvePlan();
            var units = EvaluationUnit.Build(plan, targets);
            string dataHash = data.ContentHash();
            int expectation = Options.ExpectationSamples ?? (SanityChecks.IsRandomized(model, loader) ? Defaults.AutoAttackDefaults.ExpectationSamples : 1);
            var after = Options.After is { } earlier ? EarlierSurvivors(earlier, units, dataHash, modelName, data.Count) : null;
            // Hashing every weight is only needed to guard a state file: skipped when there is none.
            var state = EvaluationState.LoadOrNew(statePath, statePath is null ? "" : Fingerprint(model, dataHash, description, units, expectation),
                units.Count, data.Count, loader.BatchesPerEpoch, routed?.RouteNames.Count ?? 0);
            CheckGradients(model, loader, state.Warnings);
            if (state.Clean is null && evalMode.WasTraining)
            {
                state.Warnings.Add("The model was in training mode; it was evaluated in eval mode. Call model.eval() before using it for inference.");
            }

            int stages = units.Count + 1 + (Options.SanityChecks ? 1 : 0);
            int gateUnit = GateAttackIndex(units.Where(u => !u.IsAdaptive).Select(u => u.Attack).ToList());
            int experts = routed?.RouteNames.Count ?? 0;
            state.GateClean ??= new double[experts];
            state.GateAttacked ??= new double[experts];

            var labels = data.Labels.data<long>().ToArray();
            int n = labels.Length;
            if (state.Clean is null)
            {
                var cleanRun = new bool[n];
                RunStage("clean", 0, stages, loader, 0, progress, cancellationToken, (batch, offset, _) =>
                {
                    using var noGrad = no_grad();
                    var logits = Predict(model, routed, batch.Images, state.GateClean);
                    CopyCorrect(logits, batch.Labels, cleanRun, offset, null);
                    if (offset == 0 && Options.SanityChecks)
                    {
                        SanityChecks.CheckLogits(logits, state.Warnings);
                        SanityChecks.CheckDeterministic(model, batch.Images, logits, expectation, state.Warnings);
                    }
                }, null);
                state.Clean = SampleOutcomes.From(cleanRun);
                state.Seconds += clock.Elapsed.TotalSeconds;
                clock.Restart();
                state.Save(statePath);
            }

            var clean = state.Clean.ToArray();
            if (Options.After is { CleanOutcomes: { } earlierClean } && earlierClean.Bits != state.Clean.Bits)
            {
                int differ = earlierClean.ToArray().Zip(clean).Count(p => p.First != p.Second);
                throw new ArgumentException(
                    $"The earlier report of '{Options.After.Model}' (EvaluationOptions.After) classifies {differ} of {n} clean images differently from this model: " +
                    "it is a report of other weights. Pass the report this model produced on these images.", nameof(EvaluationOptions.After));
            }

            var completed = state.Completed.Select(o => o.ToArray()).ToList();
            for (int u = completed.Count; u < units.Count; u++)
            {
                var unit = units[u];
                var eligible = Eligible(units, completed, u, clean, after?[u]);

                bool resuming = state.Partial is not null;
                var correct = resuming ? state.Partial!.ToArray() : new bool[n];
                int index = u;
                bool trackGate = u == gateUnit && routed is not null;
                using var averaged = expectation > 1 ? new ExpectationOverTransformation(unit.Target ?? model, expectation) : null;
                var target = (nn.Module<Tensor, Tensor>?)averaged ?? unit.Target ?? model;
                string stageName = unit.Name;
                RunStage(stageName, u + 1, stages, loader,
                    resuming ? state.BatchesDone : 0, progress, cancellationToken, (batch, offset, b) =>
                {
                    var picked = EligibleIndices(eligible, offset, batch.Size);
                    if (picked.Length == 0)
                    {
                        return;
                    }

                    using var idx = tensor(picked.Select(i => (long)(i - offset)).ToArray()).to(batch.Images.device);
                    var x = batch.Images.index_select(0, idx);
                    var y = batch.Labels.index_select(0, idx);
                    using var generator = Seeds.Generator(Options.Seed, index, b);
                    var stepProgress = progress is null ? null : new StepForwarder(p =>
                        progress.Report(new EvaluationProgress(stageName, index + 1, stages, offset, n, p.Done, p.Total)));
                    var adversarial = unit.Attack.Perturb(target, x, y, generator, cancellationToken, stepProgress);
                    using var noGrad = no_grad();
                    var logits = Predict(model, routed, adversarial, trackGate ? state.GateAttacked : null);
                    if (trackGate)
                    {
                        state.GateAttackedCount += picked.Length;
                    }

                    CopyCorrect(logits, y, correct, offset, picked);
                }, batchesDone =>
                {
                    state.BatchesDone = batchesDone;
                    state.Partial = SampleOutcomes.From(correct);
                    state.Seconds += clock.Elapsed.TotalSeconds;
                    clock.Restart();
                    state.Save(statePath);
                });

                completed.Add(correct);
                state.Completed.Add(SampleOutcomes.From(correct));
                state.Partial = null;
                state.BatchesDone = 0;
                state.Save(statePath);
                _logger.LogInformation("{Model}: {Stage}/{Attack} accuracy {Accuracy:P2}", modelName, unit.Stage, unit.Name, (double)correct.Count(c => c) / n);
            }

            var results = units.Select((unit, u) =>
            {
                int hits = completed[u].Count(c => c);
                return new AttackResult(unit.Name, unit.Attack.Descriptor, unit.Stage, unit.Kind, (double)hits / n, hits, n,
                    ConfidenceInterval.Wilson(hits, n), SampleOutcomes.From(completed[u]), unit.Surrogate);
            }).ToList();
            var stageRecords = plan.Stages.Select(stage => StageRecordOf(stage, units, completed, clean))
                .Concat(units.Any(x => x.IsAdaptive) ? [StageRecordOf(null, units, completed, clean)] : [])
                .ToList();

            int classes = data.ClassNames.Count;
            var warnings = state.Warnings.ToList();
            var worst = WorstCases(results, completed, clean, labels, classes);
            if (Options.SanityChecks)
            {
                SanityChecks.CheckSweep(results.Where(r => r.Surrogate is null).ToList(), warnings);
                SanityChecks.CheckAdaptive(results, warnings);
                RunStage("sanity", stages - 1, stages, loader, 0, progress, cancellationToken, (batch, offset, b) =>
                {
                    if (offset == 0)
                    {
                        SanityChecks.CheckGradientsAndLargeEpsilon(model, batch, clean, Options, warnings);
                        if (routed is not null)
                        {
                            SanityChecks.CheckRoutingGradient(routed, batch, adaptiveChecksRun: units.Any(u => u.IsAdaptive), warnings);
                        }
                    }
                }, null);
            }

            GateReport? gate = routed is null ? null : new GateReport(
                routed.RouteNames.ToArray(),
                state.GateClean.Select(s => s / n).ToArray(),
                state.GateAttacked.Select(s => state.GateAttackedCount == 0 ? double.NaN : s / state.GateAttackedCount).ToArray(),
                gateUnit >= 0 ? units[gateUnit].Attack.Name : "none");
            foreach (var w in warnings)
            {
                _logger.LogWarning("{Model}: {Warning}", modelName, w);
            }

            int cleanCorrect = clean.Count(c => c);
            var report = new RobustnessReport(
                RobustnessReport.CurrentSchemaVersion,
                modelName,
                description,
                n,
                dataHash,
                plan.ThreatModel,
                new PlanRecord(plan.Name, stageRecords),
                EvaluationSettings.From(Options, plan, expectation),
                (double)cleanCorrect / n,
                ConfidenceInterval.Wilson(cleanCorrect, n),
                state.Clean,
                results,
                worst,
                data.ClassNames.ToArray(),
                PerClass(clean, labels, classes),
                gate,
                warnings,
                Describe(model),
                Versions(),
                state.Seconds + clock.Elapsed.TotalSeconds,
                _time.GetUtcNow());
            if (statePath is not null)
            {
                File.Delete(statePath);
            }

            return report;
        }
        finally
        {
            if (ownsData)
            {
                data.Dispose();
            }

            foreach (var target in targets.Where(t => t.DisposeAfterUse))
            {
                target.Module.Dispose();
            }
        }
    }

    /// <summary>Forwards an attack's per-step progress synchronously (no thread pool hop, unlike <see cref="Progress{T}"/>).</summary>
    private sealed class StepForwarder(Action<AttackProgress> report) : IProgress<AttackProgress>
    {
        public void Report(AttackProgress value) => report(value);
    }

    /// <summary>
    /// The images unit <paramref name="u"/> attacks: clean-correct for a sweep; still robust in its cascade stage; still
    /// robust at its ε for an adaptive check; and of those, only the ones <paramref name="earlier"/> (the survivors of
    /// <see cref="EvaluationOptions.After"/> at the unit's ε) leaves robust, when given.
    /// </summary>
    private static bool[] Eligible(IReadOnlyList<EvaluationUnit> units, IReadOnlyList<bool[]> completed, int u, bool[] clean, bool[]? earlier)
    {
        var own = OwnEligible(units, completed, u, clean);
        return earlier is null ? own : own.Select((e, i) => e && earlier[i]).ToArray();
    }

    private static bool[] OwnEligible(IReadOnlyList<EvaluationUnit> units, IReadOnlyList<bool[]> completed, int u, bool[] clean)
    {
        var unit = units[u];
        if (unit.Kind == StageKind.Sweep)
        {
            return clean;
        }

        if (unit.IsAdaptive)
        {
            double e = unit.Attack.Descriptor.Epsilon;
            var atBudget = Enumerable.Range(0, u).Where(i => Epsilon.SameBudget(units[i].Attack.Descriptor.Epsilon, e)).Select(i => completed[i]).ToList();
            return SampleOutcomes.CorrectUnderAll([clean, .. atBudget]);
        }

        for (int i = u - 1; i >= 0; i--)
        {
            if (units[i].Stage == unit.Stage)
            {
                return completed[i]; // a cascade's previous attack: only images still robust
            }
        }

        return clean;
    }

    /// <summary>
    /// Per unit, the images <paramref name="earlier"/> leaves robust at the unit's ε; throws when that report is of
    /// other data or another model name, or lacks a worst case at some ε of the plan.
    /// </summary>
    private static bool[][] EarlierSurvivors(RobustnessReport earlier, IReadOnlyList<EvaluationUnit> units, string dataHash, string modelName, int n)
    {
        if (earlier.DataSha256 != dataHash || earlier.Samples != n)
        {
            throw new ArgumentException(
                $"The earlier report (EvaluationOptions.After) is of other data: {earlier.Samples} images, data SHA-256 {earlier.DataSha256 ?? "none (schema 1)"}; " +
                $"this evaluation has {n} images, {dataHash}. Pass a report made on the same test subset (same PerClass/FirstN).", nameof(EvaluationOptions.After));
        }

        if (earlier.Model != modelName)
        {
            throw new ArgumentException(
                $"The earlier report (EvaluationOptions.After) is of model '{earlier.Model}', this evaluation of '{modelName}': pass that model's own report.", nameof(EvaluationOptions.After));
        }

        static string Eps(double e) => e.ToString("0.#####", System.Globalization.CultureInfo.InvariantCulture);
        var decoded = new Dictionary<WorstCase, bool[]>(ReferenceEqualityComparer.Instance); // units of one ε share one array (read-only here)
        return units.Select(u => earlier.WorstCaseAt(u.Attack.Descriptor.Epsilon) is { Outcomes: { } o } w
                ? decoded.TryGetValue(w, out var known) ? known : decoded[w] = o.ToArray()
                : throw new ArgumentException(
                    $"The earlier report (EvaluationOptions.After) has no worst case at ε = {Eps(u.Attack.Descriptor.Epsilon)}, " +
                    $"which {u.Name} attacks (it has ε = {string.Join(", ", earlier.WorstCase.Select(x => Eps(x.Epsilon)))}). " +
                    "Continue only from a report that evaluated every budget of this plan.", nameof(EvaluationOptions.After))).ToArray();
    }

    private static StageRecord StageRecordOf(EvaluationStage? stage, IReadOnlyList<EvaluationUnit> units, IReadOnlyList<bool[]> completed, bool[] clean)
    {
        string name = stage?.Name ?? EvaluationUnit.AdaptiveStage;
        var members = Enumerable.Range(0, units.Count).Where(i => units[i].Stage == name).ToList();
        var robust = SampleOutcomes.CorrectUnderAll([clean, .. members.Select(m => completed[m])]);
        return new StageRecord(name, stage?.Kind ?? StageKind.Cascade, members.Select(m => units[m].Attack.Descriptor).ToList(),
            (double)robust.Count(c => c) / clean.Length);
    }

    /// <summary>SHA-256 over the model's weights, the data, every attack run (with all its settings) and the options.</summary>
    private string Fingerprint(nn.Module<Tensor, Tensor> model, string dataHash, string description, IReadOnlyList<EvaluationUnit> units, int expectation)
    {
        using var scope = NewDisposeScope();
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var (name, tensor) in model.state_dict())
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(name));
            hash.AppendData(tensor.cpu().contiguous().bytes);
        }

        string settings = string.Join("\n", units.Select(u => $"{u.Stage}|{u.Kind}|{u.Surrogate}|{AttackFingerprint.Of(u.Attack)}")) +
            $"\n{dataHash}|{description}|{Options.BatchSize}|{Options.Seed}|{Options.SanityChecks}|{Options.SanityEpsilon}" +
            (Options.After is { } a ? $"\nafter {a.Model}|{a.Plan.Name}|{string.Join(";", a.WorstCase.Select(w => w.Epsilon.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + ":" + w.Outcomes?.Bits))}" : "") +
            (expectation > 1 ? $"\nexpectation {expectation}" : ""); // absent without it, so earlier state files still resume
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(settings));
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private (ImageDataset Data, bool Owns, string Description) Subset(ImageDataset testSet, string name)
    {
        if (Options.PerClass is { } perClass)
        {
            int skip = Options.SkipPerClass;
            return (testSet.TakePerClass(perClass, skip), true, skip == 0
                ? $"{name}, first {perClass} per class"
                : $"{name}, images {skip + 1}–{skip + perClass} of each class");
        }

        if (Options.FirstN is { } first && first < testSet.Count)
        {
            return (testSet.Take(first), true, $"{name}, first {first}");
        }

        return (testSet, false, $"{name}, all {testSet.Count}");
    }

    private static void RunStage(
        string stage, int stageIndex, int stages, BatchLoader loader, int skipBatches, IProgress<EvaluationProgress>? progress,
        CancellationToken cancellationToken, Action<Batch, int, int> body, Action<int>? afterBatch)
    {
        // Batches before skipBatches are already done (a resumed evaluation): the loader skips them. Evaluation
        // batches are unshuffled, so every skipped one is a full batch.
        int offset = skipBatches * loader.Options.BatchSize, b = skipBatches;
        foreach (var batch in loader.Epoch(0, skipBatches))
        {
            using (batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using (NewDisposeScope())
                {
                    body(batch, offset, b);
                }

                afterBatch?.Invoke(b + 1);
                offset += batch.Size;
                b++;
                progress?.Report(new EvaluationProgress(stage, stageIndex, stages, offset, loader.Count));
            }
        }
    }

    private static Tensor Predict(nn.Module<Tensor, Tensor> model, IRoutedModel? routed, Tensor images, double[]? gateSums)
    {
        if (routed is null || gateSums is null)
        {
            return model.call(images);
        }

        var output = routed.Route(images);
        var sums = output.Weights.sum(new long[] { 0 }).to(ScalarType.Float64).cpu().data<double>().ToArray();
        for (int i = 0; i < sums.Length; i++)
        {
            gateSums[i] += sums[i];
        }

        return output.Logits;
    }

    /// <summary>The attack whose adversarial images show the gate under attack: the last PGD or APGD of the plan, else the last attack.</summary>
    private static int GateAttackIndex(IReadOnlyList<IAttack> attacks)
    {
        for (int i = attacks.Count - 1; i >= 0; i--)
        {
            if (attacks[i].Descriptor.Family is AttackFamily.Pgd or AttackFamily.Apgd)
            {
                return i;
            }
        }

        return attacks.Count - 1;
    }

    /// <summary>Indices in [offset, offset + size) of images marked in <paramref name="eligible"/>.</summary>
    internal static int[] EligibleIndices(bool[] eligible, int offset, int size) =>
        Enumerable.Range(offset, size).Where(i => eligible[i]).ToArray();

    /// <summary>One worst case per distinct ε (±1e-9), in ascending ε: clean and every attack at that budget.</summary>
    /// <param name="results">One per attack run.</param>
    /// <param name="outcomes">The same runs' per-image outcomes, as computed (not decoded again from the reports).</param>
    /// <param name="clean">Per-image clean outcomes.</param>
    /// <param name="labels">Labels, for the per-class numbers.</param>
    /// <param name="classes">Class count.</param>
    private static List<WorstCase> WorstCases(IReadOnlyList<AttackResult> results, IReadOnlyList<bool[]> outcomes, bool[] clean, long[] labels, int classes)
    {
        var budgets = new List<double>();
        foreach (var e in results.Select(r => r.Descriptor.Epsilon).OrderBy(e => e))
        {
            if (budgets.Count == 0 || !Epsilon.SameBudget(budgets[^1], e))
            {
                budgets.Add(e);
            }
        }

        return budgets.Select(e =>
        {
            var at = Enumerable.Range(0, results.Count).Where(i => Epsilon.SameBudget(results[i].Descriptor.Epsilon, e)).ToList();
            var robust = SampleOutcomes.CorrectUnderAll([clean, .. at.Select(r => outcomes[r])]);
            int hits = robust.Count(c => c);
            return new WorstCase(e, (double)hits / clean.Length, hits, clean.Length, ConfidenceInterval.Wilson(hits, clean.Length),
                at.Select(r => results[r].Attack).ToList(), PerClass(robust, labels, classes), SampleOutcomes.From(robust));
        }).ToList();
    }

    private static ModelInfo Describe(nn.Module<Tensor, Tensor> model)
    {
        long parameters = model.parameters().Sum(p => p.numel());
        if (model is IRoutedModel routed)
        {
            return new ModelInfo(routed.Description, parameters, routed.ForwardPasses);
        }

        return new ModelInfo(model.GetType().Name, parameters, 1);
    }

    private static VersionInfo Versions() => new(
        typeof(RobustnessEvaluator).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
        typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown");

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

    /// <summary>Elapsed time from a <see cref="TimeProvider"/>, with the two members the evaluation uses of a stopwatch.</summary>
    private sealed class Clock(TimeProvider time)
    {
        private long _start = time.GetTimestamp();

        public TimeSpan Elapsed => time.GetElapsedTime(_start);

        public void Restart() => _start = time.GetTimestamp();
    }

    /// <summary>The input-gradient check on the first images (once per model); a failure throws or becomes a warning, as <see cref="EvaluationOptions.GradientCheck"/> says.</summary>
    private void CheckGradients(nn.Module<Tensor, Tensor> model, BatchLoader loader, List<string> warnings)
    {
        var result = Numerics.InputGradientCheck.EnsureCheckedOnFirstImages(model, loader, Options.GradientCheck);
        if (result is { Passed: false } && !warnings.Contains(result.Describe()))
        {
            warnings.Add(result.Describe());
        }
    }
}
