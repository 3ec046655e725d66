using Dwf.Robustness.Infrastructure;

namespace Dwf.Robustness.Tests.Infrastructure;

// The effect itself (page faults per step with and without tuning) depends on the machine and on what else runs, so
// it is measured by the benchmark program (`allocator-probe`, docs/performance.md), not asserted here.
public class CpuAllocatorTests
{
    [Fact]
    public void Tune_OnLinuxWithGlibc_AppliesTheSettings()
    {
        if (!OperatingSystem.IsLinux())
        {
            CpuAllocator.Tune().Should().BeFalse("only glibc's allocator is tuned");
            return;
        }

        // mallopt returns 0 for a parameter or value glibc rejects, so a wrong constant fails here.
        bool glibc = !System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.Ordinal);
        CpuAllocator.Tune().Should().Be(glibc);
        CpuAllocator.IsTuned.Should().Be(glibc);
    }

    [Fact]
    public void Tune_CalledAgain_ReturnsTheSameAnswer()
    {
        bool first = CpuAllocator.Tune();
        CpuAllocator.Tune().Should().Be(first);
        CpuAllocator.IsTuned.Should().Be(first);
    }
}
