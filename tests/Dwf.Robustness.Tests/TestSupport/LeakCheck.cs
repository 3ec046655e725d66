using TorchSharp;

namespace Dwf.Robustness.Tests.TestSupport;

/// <summary>Asserts that a call leaves the number of live tensors on this thread unchanged.</summary>
internal static class LeakCheck
{
    public static long LiveTensors => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    /// <summary>Runs <paramref name="action"/> twice (the first run warms caches) and checks the second leaks nothing.</summary>
    public static void AssertNoLeak(Action action)
    {
        action();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = LiveTensors;
        action();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        LiveTensors.Should().Be(before, "every tensor a call creates must be disposed or returned to the caller");
    }
}
