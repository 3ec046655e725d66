using System.Diagnostics;

namespace Dwf.Robustness.Tests.Experts;

/// <summary>
/// Modules are often built outside any dispose scope; an unreferenced temporary tensor there can be finalized by the
/// garbage collector while libtorch still reads it, a use after free that crashed test hosts. The child process
/// (tests/Dwf.Robustness.CrashChild, mode construct) builds convolutions and ResNet-18s beside a thread that collects
/// without pause; with the unfixed constructors it crashed within seconds.
/// </summary>
public class ConstructionRaceTests
{
    private static string ChildDll => Infrastructure.KillDuringSaveTests.ChildDll;

    [Fact]
    public async Task Constructors_BesideACollectingThread_NeverReadAFreedTemporary()
    {
        File.Exists(ChildDll).Should().BeTrue($"the child process is built with the tests ({ChildDll})");
        using var child = Process.Start(new ProcessStartInfo("dotnet", [ChildDll, "construct", "-"])
            { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3)); // the builds take seconds
        var stderr = child.StandardError.ReadToEndAsync(timeout.Token);
        string stdout = await child.StandardOutput.ReadToEndAsync(timeout.Token);
        await child.WaitForExitAsync(timeout.Token);
        string errors = await stderr;

        child.ExitCode.Should().Be(0, $"the child crashed: {errors[..Math.Min(errors.Length, 2000)]}");
        stdout.Should().Contain("done");
    }
}
