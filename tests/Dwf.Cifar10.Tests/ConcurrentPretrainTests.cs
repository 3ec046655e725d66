using System.Diagnostics;
using Dwf.Robustness.Tests.TestSupport;

namespace Dwf.Cifar10.Tests;

/// <summary>Phase 1 on many machines: several <c>pretrain</c> processes on one run folder split the experts without corrupting each other.</summary>
public class ConcurrentPretrainTests
{
    /// <summary>The sample's own build output (same configuration as this test's).</summary>
    private static string SampleDll()
    {
        var bin = new DirectoryInfo(AppContext.BaseDirectory); // tests/Dwf.Cifar10.Tests/bin/<Configuration>/<tfm>/
        string tfm = bin.Name, configuration = bin.Parent!.Name;
        var root = bin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Dwf.Robustness.sln")))
        {
            root = root.Parent;
        }

        return Path.Combine(root!.FullName, "samples", "Dwf.Cifar10", "bin", configuration, tfm, "Dwf.Cifar10.dll");
    }

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(SampleDll());
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        return Process.Start(start)!;
    }

    private static (int Code, string Output) Finish(Process p)
    {
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        p.WaitForExit(TimeSpan.FromMinutes(5)).Should().BeTrue("a micro pretrain takes seconds");
        return (p.ExitCode, output.Result + error.Result);
    }

    private static string[] Pretrain(string run, params string[] more) =>
        ["pretrain", "--preset", "micro", "--data", Cifar10FactAttribute.Path!, "--run", run, "--threads", "1", .. more];

    [Cifar10Fact]
    public void Pretrain_TwoProcessesOnOneFolder_EachExpertTrainedOnceAndIdenticalToOneProcess()
    {
        string sequential = Path.Combine(Path.GetTempPath(), "dwf-seq-" + Guid.NewGuid().ToString("N"));
        string shared = Path.Combine(Path.GetTempPath(), "dwf-par-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, output) = Finish(Start(Pretrain(sequential)));
            code.Should().Be(0, output);

            using var a = Start(Pretrain(shared));
            using var b = Start(Pretrain(shared));
            var (codeA, outA) = Finish(a);
            var (codeB, outB) = Finish(b);

            codeA.Should().Be(0, outA);
            codeB.Should().Be(0, outB);
            var names = ExpertPlan.For(Presets.Create("micro", "/d", shared)).Select(s => s.Name).ToList();
            string log = File.ReadAllText(new RunFolder(shared).Log);
            foreach (var name in names)
            {
                log.Split('\n').Count(l => l.Contains($"expert {name} saved to", StringComparison.Ordinal)).Should().Be(1, $"{name} is trained by exactly one process");
                File.ReadAllBytes(new RunFolder(shared).ExpertWeights(name)).Should().Equal(File.ReadAllBytes(new RunFolder(sequential).ExpertWeights(name)),
                    $"{name} has the same weights whichever process trained it");
            }
        }
        finally
        {
            foreach (var d in new[] { sequential, shared }.Where(Directory.Exists))
            {
                Directory.Delete(d, recursive: true);
            }
        }
    }

    [Cifar10Fact]
    public void Pretrain_ExpertClaimedByAnotherProcess_RefusedNamingIt()
    {
        string run = Path.Combine(Path.GetTempPath(), "dwf-claim-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (ExpertClaim.TryTake(new RunFolder(run).ExpertLock("clean-1")))
            {
                var (code, output) = Finish(Start(Pretrain(run, "--expert", "clean-1")));

                code.Should().Be(1);
                output.Should().Contain("'clean-1' is being trained by another process");
            }

            File.Exists(new RunFolder(run).ExpertWeights("clean-1")).Should().BeFalse();
        }
        finally
        {
            if (Directory.Exists(run))
            {
                Directory.Delete(run, recursive: true);
            }
        }
    }
}
