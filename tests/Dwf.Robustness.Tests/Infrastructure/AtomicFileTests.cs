using System.Diagnostics;
using Dwf.Robustness.Infrastructure;
using Dwf.Robustness.Tests.TestSupport;

namespace Dwf.Robustness.Tests.Infrastructure;

public class AtomicFileTests
{
    private static int DeadPid()
    {
        using var p = Process.Start(new ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true, UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }

    [Fact]
    public void Write_TempFileOfDeadWriter_RemovedByNextWrite()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.bin");
        string orphan = dir.File($".model.bin.{DeadPid()}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(orphan, new byte[1000]);

        AtomicFile.WriteAllText(path, "new");

        File.Exists(orphan).Should().BeFalse("a killed writer's temporary file is removed by the next save");
        File.ReadAllText(path).Should().Be("new");
    }

    [Fact]
    public void Write_TempFileOfLiveWriterOrOtherFile_Kept()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.bin");
        using var live = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
        try
        {
            string inProgress = dir.File($".model.bin.{live.Id}.{Guid.NewGuid():N}.tmp");
            string otherFile = dir.File($".other.bin.{DeadPid()}.{Guid.NewGuid():N}.tmp");
            File.WriteAllBytes(inProgress, [1]);
            File.WriteAllBytes(otherFile, [1]);

            AtomicFile.WriteAllText(path, "new");

            File.Exists(inProgress).Should().BeTrue("a live process may still be writing it");
            File.Exists(otherFile).Should().BeTrue("only the destination's own temporary files are touched");
        }
        finally
        {
            live.Kill();
        }
    }
}
