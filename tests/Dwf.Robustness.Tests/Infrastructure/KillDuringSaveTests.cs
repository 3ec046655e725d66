using System.Diagnostics;
using System.Text.Json;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Tests.TestSupport;
using Dwf.Robustness.Training;
using Xunit.Abstractions;
using Dwf.Robustness.Persistence;
using Checkpoint = Dwf.Robustness.Persistence.TrainingCheckpoint<Dwf.Robustness.Training.BatchStats, Dwf.Robustness.Training.EpochMetrics>;

namespace Dwf.Robustness.Tests.Infrastructure;

/// <summary>
/// The kill -9 suite: a child process (tests/Dwf.Robustness.CrashChild) saves model files or training checkpoints
/// in a loop and is killed at a random moment. The last file must load, and the next save must leave no temporary
/// file behind. A killed fixed-length training run, resumed, must end with the same bytes as an uninterrupted run.
/// DWF_KILL_TRIALS sets the trials per kind for a by-hand run (default 20 for saves, 4 for resumes).
/// </summary>
public class KillDuringSaveTests(ITestOutputHelper output)
{
    private static int Trials => TrialsOr(20);

    private static int TrialsOr(int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable("DWF_KILL_TRIALS"), out int n) && n > 0 ? n : fallback;

    private static string ChildDll
    {
        get
        {
            // tests/Dwf.Robustness.Tests/bin/<Configuration>/<tfm>/ → tests/Dwf.Robustness.CrashChild/bin/<Configuration>/<tfm>/
            var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string tfm = here.Name, configuration = here.Parent!.Name;
            string tests = here.Parent.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(tests, "Dwf.Robustness.CrashChild", "bin", configuration, tfm, "Dwf.Robustness.CrashChild.dll");
        }
    }

    private static ProcessStartInfo Child(string mode, string path) =>
        new("dotnet", [ChildDll, mode, path]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };

    /// <summary>Starts the child, waits for its first complete file, lets it run a random while, kills it; returns temp files left.</summary>
    private static int RunAndKill(string mode, string path, Random random, int maxDelayMs = 400)
    {
        using var child = Process.Start(Child(mode, path))!;
        try
        {
            var ready = child.StandardOutput.ReadLineAsync();
            if (!ready.Wait(TimeSpan.FromSeconds(60)) || ready.Result != "ready")
            {
                throw new InvalidOperationException($"the child did not get ready: {child.StandardError.ReadToEnd()}");
            }

            Thread.Sleep(random.Next(0, maxDelayMs));
        }
        finally
        {
            child.Kill(entireProcessTree: true); // SIGKILL
            child.WaitForExit();
        }

        return Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp").Length;
    }

    /// <summary>Runs the child to the end of its fixed-length training (resuming what <paramref name="path"/> holds).</summary>
    private static void RunToCompletion(string mode, string path)
    {
        using var child = Process.Start(Child(mode, path))!;
        string stdout = child.StandardOutput.ReadToEnd(), stderr = child.StandardError.ReadToEnd();
        if (!child.WaitForExit(TimeSpan.FromMinutes(2)) || child.ExitCode != 0 || !stdout.Contains("done", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"the child {mode} did not finish (exit {(child.HasExited ? child.ExitCode : -1)}): {stderr}");
        }
    }

    [Fact]
    public void ModelFileSave_ProcessKilledMidSave_LastFileLoadsAndNextSaveRemovesTemps()
    {
        File.Exists(ChildDll).Should().BeTrue($"the child process is built with the tests ({ChildDll})");
        using var dir = new TempDirectory();
        string path = dir.File("expert.bin");
        var random = new Random(11);
        int orphans = 0;
        for (int trial = 0; trial < Trials; trial++)
        {
            orphans += RunAndKill("model", path, random);
            var expert = Expert.ResNet18("check", ExpertKind.Clean, width: 0.25);
            ModelFile.Load(expert.Module, path); // the last complete save: throws if the file is torn
            ModelFile.Save(expert.Module, path);
            Directory.GetFiles(dir.Path, "*.tmp").Should().BeEmpty("the next save removes what a killed writer left");
            expert.Module.Dispose();
        }

        output.WriteLine($"{Trials} kills during model saves; {orphans} left a temporary file, each removed by the next save");
    }

    [Fact]
    public void TrainingCheckpointSave_ProcessKilledDuringTraining_LastCheckpointLoadsAndNextSaveRemovesTemps()
    {
        File.Exists(ChildDll).Should().BeTrue($"the child process is built with the tests ({ChildDll})");
        using var dir = new TempDirectory();
        string path = dir.File("expert.ckpt");
        var random = new Random(12);
        int orphans = 0;
        for (int trial = 0; trial < Trials; trial++)
        {
            File.Delete(path);
            orphans += RunAndKill("checkpoint", path, random);
            var expert = Expert.ResNet18("child", ExpertKind.Clean, width: 0.125);
            using var optimizer = Sgd.Create(expert.Module.parameters(), new ExpertTrainingOptions().Optimizer);
            var header = ReadHeader(path);
            Checkpoint.Load(path, header.Phase, header.Fingerprint, expert.Module, [optimizer], int.MaxValue, int.MaxValue); // throws if torn
            header.Epoch.Should().BeGreaterThan(0);
            Checkpoint.Save(path, header, expert.Module, [optimizer]);
            Directory.GetFiles(dir.Path, "*.tmp").Should().BeEmpty("the next save removes what a killed writer left");
            expert.Module.Dispose();
        }

        output.WriteLine($"{Trials} kills during training; {orphans} left a temporary checkpoint, each removed by the next save");
    }

    [Theory]
    [InlineData("expert-train")]
    [InlineData("joint-train")]
    public void Fit_ProcessKilledAnywhereInTraining_ResumeEndsBitIdenticalToUninterruptedRun(string mode)
    {
        File.Exists(ChildDll).Should().BeTrue($"the child process is built with the tests ({ChildDll})");
        using var dir = new TempDirectory();
        string reference = dir.File("reference.ckpt");
        RunToCompletion(mode, reference);
        byte[] expected = File.ReadAllBytes(reference + ".final");

        var random = new Random(mode.Length);
        int trials = TrialsOr(4), orphans = 0, epochsAtKill = 0;
        for (int trial = 0; trial < trials; trial++)
        {
            string path = dir.File($"trial{trial}.ckpt");
            orphans += RunAndKill(mode, path, random, maxDelayMs: 1500);
            epochsAtKill += ReadHeader(path).Epoch;
            RunToCompletion(mode, path);
            File.ReadAllBytes(path + ".final").Should().Equal(expected, $"trial {trial}: a resumed run must end exactly where an uninterrupted one does");
            Directory.GetFiles(dir.Path, "*.tmp").Should().BeEmpty("the resumed run's saves remove what the killed run left");
        }

        output.WriteLine($"{trials} {mode} runs killed (mean {epochsAtKill / (double)trials:0.0} epochs checkpointed at the kill), " +
                         $"{orphans} left a temporary file; every resume ended bit-identical to the uninterrupted run");
    }

    private static Checkpoint.Header ReadHeader(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        reader.ReadString();
        return JsonSerializer.Deserialize<Checkpoint.Header>(reader.ReadString(),
            new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals })!;
    }
}
