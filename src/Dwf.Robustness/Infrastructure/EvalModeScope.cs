using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace Dwf.Robustness.Infrastructure;

/// <summary>
/// Puts a module in eval mode for the duration of a call and restores the mode it had before, counting the calls
/// in flight per module: when several threads attack or evaluate the same module at once, the module stays in eval
/// mode until the last of them finishes, and only then gets back the mode it had when the first one began.
/// (Saving and restoring <c>training</c> per call instead lets a second thread see the first one's eval mode as
/// the mode to restore, leaving a training-mode module in eval mode.)
/// </summary>
internal sealed class EvalModeScope : IDisposable
{
    private sealed class State
    {
        public int InFlight;
        public bool WasTraining;
    }

    private static readonly ConditionalWeakTable<nn.Module, State> States = new();

    private readonly nn.Module _module;
    private readonly State _state;
    private bool _disposed;

    private EvalModeScope(nn.Module module, State state)
    {
        _module = module;
        _state = state;
    }

    /// <summary>Enters eval mode for one call.</summary>
    /// <param name="module">The module.</param>
    /// <returns>Dispose to leave; the last caller out restores the original mode.</returns>
    public static EvalModeScope Enter(nn.Module module)
    {
        var state = States.GetOrCreateValue(module);
        lock (state)
        {
            if (state.InFlight++ == 0)
            {
                state.WasTraining = module.training;
                module.eval();
            }
        }

        return new EvalModeScope(module, state);
    }

    /// <summary>Whether the module was in training mode when the first call in flight began.</summary>
    public bool WasTraining
    {
        get
        {
            lock (_state)
            {
                return _state.WasTraining;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        lock (_state)
        {
            if (--_state.InFlight == 0)
            {
                _module.train(_state.WasTraining);
            }
        }
    }
}
