using TorchSharp;

namespace Dwf.Robustness.Testing;

/// <summary>Checks that code disposes every tensor it creates, through TorchSharp's live-tensor statistics.</summary>
public static class LeakCheck
{
    /// <summary>Tensors alive on this thread.</summary>
    public static long LiveTensors => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    /// <summary>
    /// Runs <paramref name="action"/> twice (the first run warms caches) and throws <see cref="TensorLeakException"/>
    /// when the second leaves more live tensors on this thread than before it.
    /// </summary>
    /// <param name="action">The code under test; it must dispose or return (and its caller dispose) every tensor.</param>
    public static void AssertNoLeak(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        action();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = LiveTensors;
        action();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long after = LiveTensors;
        if (after != before)
        {
            throw new TensorLeakException($"{after - before} tensor(s) leaked by one call ({before} live before, {after} after): every tensor a call creates must be disposed or returned to the caller.");
        }
    }
}

/// <summary>Thrown by <see cref="LeakCheck.AssertNoLeak"/> when tensors leak.</summary>
/// <param name="message">How many leaked.</param>
public sealed class TensorLeakException(string message) : Exception(message);
