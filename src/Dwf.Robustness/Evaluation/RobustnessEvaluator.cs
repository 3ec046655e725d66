using Dwf.Robustness.Data;
using Dwf.Robustness.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
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
        InputGuards.CheckFiniteParameters(model);
        using var evalMode = EvalModeScope.Enter(model);
        var call = new Call(model, testSet, modelName, datasetName, device, progress, cancellationToken, statePath);
        using var run = EvaluationRun.Start(call, Options, _time, _logger, evalMode.WasTraining);
        CleanPass.Run(run);
        FirstImageChecks.Run(run);
        foreach (var done in run.State.Completed)
        {
            run.Outcomes.Add(run.Outcomes.FromHost(done.ToArray()));
        }

        int gateUnit = ReportAssembly.GateAttackIndex(run.Units);
        for (int u = run.Outcomes.Finished; u < run.Units.Count; u++)
        {
            AttackPass.Run(run, u, gateUnit);
        }

        var report = ReportAssembly.Build(run, gateUnit, _time);
        if (statePath is not null)
        {
            File.Delete(statePath);
        }

        return report;
    }

    /// <summary>The arguments of one <see cref="Evaluate"/> call.</summary>
    internal sealed record Call(
        nn.Module<Tensor, Tensor> Model,
        ImageDataset TestSet,
        string ModelName,
        string DatasetName,
        Device? Device,
        IProgress<EvaluationProgress>? Progress,
        CancellationToken CancellationToken,
        string? StatePath);
}
