using Dwf.Robustness.Data;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dwf.Robustness.Training;

/// <summary>
/// What one defense supplies for one <see cref="AdversarialTrainer{TModel, TOptions}.Fit"/>: the phase name, the module
/// trained, its optimizers (disposed with the setup), its step, and the loop's optional hooks. Everything else —
/// epochs, seeds, fingerprint, checkpoints, progress, the train/eval bracket — is the trainer frame's.
/// </summary>
internal sealed class TrainingSetup : IDisposable
{
    /// <summary>The checkpoint's phase name (part of what a resume checks).</summary>
    public required string Phase { get; init; }

    /// <summary>The module trained: put in train mode for the loop, eval mode after it.</summary>
    public required nn.Module Module { get; init; }

    /// <summary>Optimizers with their settings; the first one's rate is reported.</summary>
    public required IReadOnlyList<(OptimizerHelper Optimizer, OptimizerOptions Options)> Optimizers { get; init; }

    /// <summary>Trains on one batch (already inside a dispose scope) and adds its measurements to the sums.</summary>
    public required Action<Batch, Generator, BatchStats> Step { get; init; }

    /// <summary>Settings beyond the options that a resumed checkpoint must match (e.g. a mixture's experts).</summary>
    public IReadOnlyDictionary<string, string> Fingerprint { get; init; } = new Dictionary<string, string>();

    /// <summary>Multiplier of the scheduled rate for (optimizer index, parameter group index); 1 when null.</summary>
    public Func<int, int, double>? GroupScale { get; init; }

    /// <summary>Called at the start of every epoch run in this process (also the first one after a resume) with the history so far.</summary>
    public Action<int, IReadOnlyList<EpochMetrics>>? BeforeEpoch { get; init; }

    /// <summary>Called once before the first step of a run that starts from scratch (not after a resume).</summary>
    public Action? BeforeFirstStep { get; init; }

    /// <summary>Disposes the optimizers.</summary>
    public void Dispose()
    {
        foreach (var (optimizer, _) in Optimizers)
        {
            optimizer.Dispose();
        }
    }
}
