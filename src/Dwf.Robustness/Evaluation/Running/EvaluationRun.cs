using Dwf.Robustness.Data;
using Dwf.Robustness.Infrastructure;
using Dwf.Robustness.Routing;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Dwf.Robustness.Evaluation;

/// <summary>
/// Everything one call of <see cref="RobustnessEvaluator.Evaluate"/> shares between its passes: the model, the test
/// subset and its loader, the attack runs, the outcomes so far, the resumable state, the first images (read once, for
/// every check that looks at them), progress, cancellation and the clock.
/// </summary>
internal sealed class EvaluationRun : IDisposable
{
    private readonly bool _ownsData;
    private readonly IReadOnlyList<AdaptiveTarget> _targets;

    private EvaluationRun(RobustnessEvaluator.Call call, EvaluationOptions options, Clock clock, ILogger logger)
    {
        Call = call;
        Options = options;
        Clock = clock;
        Logger = logger;
        Model = call.Model;
        Routed = call.Model as IRoutedModel;
        var (whole, ownsWhole, description) = Subset(options, call.TestSet, call.DatasetName);
        (Data, _ownsData, Description, WholeDescription) = (whole, ownsWhole, description, description);
        _targets = [];
        try
        {
            DataHash = whole.ContentHash(); // of the whole subset, also in a shard: what the shards' reports must share
            TotalImages = whole.Count;
            if (options.Shard is { } shard)
            {
                (Data, FirstBlock, FirstImage) = ShardOf(whole, shard, options);
                _ownsData = true;
                Description = $"{description}, shard {shard} (images {FirstImage + 1}–{FirstImage + Data.Count} of {whole.Count})";
                if (ownsWhole)
                {
                    whole.Dispose();
                }
            }

            _targets = Routed is not null && options.AdaptiveMixtureChecks ? Routed.AdaptiveTargets() : [];
            Device = call.Device ?? Model.parameters().FirstOrDefault()?.device ?? CPU;
            Loader = new BatchLoader(Data, new BatchLoaderOptions { BatchSize = options.BatchSize, Shuffle = false, Augment = false }, Device);
            Plan = options.ResolvePlan();
            Units = EvaluationUnit.Build(Plan, _targets);
            Labels = Data.Labels.data<long>().ToArray();
            First = Loader.First(Math.Max(options.BatchSize, Math.Max(Numerics.InputGradientCheck.MinimumImages, SanityChecks.RandomnessImages)));
        }
        catch
        {
            Dispose(); // the subset and the adaptive targets made so far (the old evaluator's finally covered them too)
            throw;
        }
    }

    public RobustnessEvaluator.Call Call { get; }

    public EvaluationOptions Options { get; }

    public Clock Clock { get; }

    public ILogger Logger { get; }

    public nn.Module<Tensor, Tensor> Model { get; }

    public IRoutedModel? Routed { get; }

    public ImageDataset Data { get; }

    public string Description { get; }

    /// <summary>The whole subset's description (the same as <see cref="Description"/> unless this is a shard).</summary>
    public string WholeDescription { get; }

    /// <summary>Images of the whole test subset (more than <see cref="Count"/> for a shard).</summary>
    public int TotalImages { get; }

    /// <summary>Index of <see cref="Data"/>'s first image in the whole subset (0 unless this is a shard).</summary>
    public int FirstImage { get; }

    /// <summary>Index of <see cref="Data"/>'s first block in the whole subset (0 unless this is a shard): the seeds' block offset.</summary>
    public int FirstBlock { get; }

    /// <summary>Images per block (<see cref="EvaluationOptions.BatchesPerBlock"/> batches).</summary>
    public int BlockImages => Options.BlockImages;

    public Device Device { get; }

    public BatchLoader Loader { get; }

    public EvaluationPlan Plan { get; }

    public IReadOnlyList<EvaluationUnit> Units { get; }

    public long[] Labels { get; }

    public int Count => Labels.Length;

    /// <summary>The first images of the test subset (unshuffled), enough for every check; read once.</summary>
    public Batch First { get; }

    /// <summary>The clean pass and one pass per attack run.</summary>
    public int Stages => Units.Count + 1;

    /// <summary>SHA-256 of the whole test subset's labels and images (also for a shard).</summary>
    public string DataHash { get; }

    /// <summary>Samples per gradient (expectation over transformation), 1 for a deterministic model.</summary>
    public int Expectation { get; private set; } = 1;

    public EvaluationState State { get; private set; } = null!;

    public Outcomes Outcomes { get; private set; } = null!;

    /// <summary>Findings of the checks on <see cref="First"/> after the clean pass; reported after the sweep and adaptive checks, not kept in the state.</summary>
    public List<EvaluationWarning> LateWarnings { get; } = [];

    /// <summary>Subset, loader, attack runs, state (resumed when its file exists), the earlier report's survivors and the gradient check.</summary>
    public static EvaluationRun Start(RobustnessEvaluator.Call call, EvaluationOptions options, TimeProvider time, ILogger logger, bool wasTraining)
    {
        var run = new EvaluationRun(call, options, new Clock(time), logger);
        try
        {
            using var scope = NewDisposeScope(); // the views of the first images below
            run.Expectation = options.ExpectationSamples ?? (IsRandomized(run) ? Defaults.AutoAttackDefaults.ExpectationSamples : 1);
            var after = options.After is { } earlier ? EarlierReport.Survivors(earlier, run) : null;
            run.Outcomes = new Outcomes(run.Units, after, run.Device);
            // Hashing every weight is only needed to guard a state file: skipped when there is none.
            run.State = EvaluationState.LoadOrNew(call.StatePath, call.StatePath is null ? "" : EvaluationFingerprint.Of(run),
                run.Units.Count, run.Count, run.Loader.BatchesPerEpoch, run.Routed?.RouteNames.Count ?? 0);
            var (images, labels) = run.FirstImages(Numerics.InputGradientCheck.MinimumImages);
            var check = Numerics.InputGradientCheck.EnsureChecked(run.Model, images, labels, options.GradientCheck);
            if (check is { Passed: false } && !run.State.Warnings.Contains(new EvaluationWarning(WarningCode.InputGradientCheckFailed, check.Describe())))
            {
                run.State.Warnings.Add(new EvaluationWarning(WarningCode.InputGradientCheckFailed, check.Describe()));
            }

            if (run.State.Clean is null && wasTraining)
            {
                run.State.Warnings.Add(new EvaluationWarning(WarningCode.ModelInTrainingMode, "The model was in training mode; it was evaluated in eval mode. Call model.eval() before using it for inference."));
            }

            int experts = run.Routed?.RouteNames.Count ?? 0;
            run.State.GateClean ??= new double[experts];
            run.State.GateAttacked ??= new double[experts];
            return run;
        }
        catch
        {
            run.Dispose();
            throw;
        }
    }

    /// <summary>Whether two passes over the first images differ, with the kernels held so another thread's gradient check cannot make them differ.</summary>
    private static bool IsRandomized(EvaluationRun run)
    {
        using var kernels = Numerics.LibTorchSettings.HoldKernels();
        return SanityChecks.IsRandomized(run.Model, run.FirstImages(SanityChecks.RandomnessImages).Images);
    }

    /// <summary>The first <paramref name="count"/> images (fewer when the subset is smaller) and their labels: views of <see cref="First"/>, in the caller's dispose scope.</summary>
    public (Tensor Images, Tensor Labels) FirstImages(int count)
    {
        long take = Math.Min(count, First.Size);
        return (First.Images.narrow(0, 0, take), First.Labels.narrow(0, 0, take));
    }

    /// <summary>Adds the time since the last checkpoint to the state and saves it (atomically) when the evaluation has a state file.</summary>
    public void Checkpoint()
    {
        State.Seconds += Clock.Elapsed.TotalSeconds;
        Clock.Restart();
        State.Save(Call.StatePath);
    }

    /// <summary>Progress between batches of pass <paramref name="stage"/>.</summary>
    public void Report(string name, int stage, int done, int total, long step = 0, long steps = 0) =>
        Call.Progress?.Report(new EvaluationProgress(name, stage, Stages, done, total, step, steps));

    public void Dispose()
    {
        Outcomes?.Dispose();
        First?.Dispose();
        if (_ownsData)
        {
            Data.Dispose();
        }

        foreach (var target in _targets.Where(t => t.DisposeAfterUse))
        {
            target.Module.Dispose();
        }
    }

    /// <summary>Shard <paramref name="shard"/>'s images of <paramref name="whole"/>: whole blocks, contiguous.</summary>
    private static (ImageDataset Data, int FirstBlock, int FirstImage) ShardOf(ImageDataset whole, EvaluationShard shard, EvaluationOptions options)
    {
        int blockImages = options.BlockImages;
        int blocks = (whole.Count + blockImages - 1) / blockImages;
        if (blocks < shard.Count)
        {
            throw new ArgumentException(
                $"Shard {shard} needs at least {shard.Count} blocks, but the {whole.Count} test images make {blocks} of {blockImages} " +
                $"(BatchesPerBlock {options.BatchesPerBlock} × BatchSize {options.BatchSize}). Use at most {blocks} shards, or lower BatchesPerBlock.",
                nameof(EvaluationOptions.Shard));
        }

        var (first, end) = shard.Blocks(blocks);
        int start = first * blockImages, stop = Math.Min(end * blockImages, whole.Count);
        return (whole.Slice(start, stop - start), first, start);
    }

    private static (ImageDataset Data, bool Owns, string Description) Subset(EvaluationOptions options, ImageDataset testSet, string name)
    {
        if (options.PerClass is { } perClass)
        {
            int skip = options.SkipPerClass;
            return (testSet.TakePerClass(perClass, skip), true, skip == 0
                ? $"{name}, first {perClass} per class"
                : $"{name}, images {skip + 1}–{skip + perClass} of each class");
        }

        if (options.FirstN is { } first && first < testSet.Count)
        {
            return (testSet.Take(first), true, $"{name}, first {first}");
        }

        return (testSet, false, $"{name}, all {testSet.Count}");
    }
}
