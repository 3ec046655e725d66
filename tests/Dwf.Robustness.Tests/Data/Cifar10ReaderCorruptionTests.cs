using System.Diagnostics;
using Dwf.Robustness.Data;
using Dwf.Robustness.Tests.TestSupport;

namespace Dwf.Robustness.Tests.Data;

/// <summary>
/// The corruption suite: every mutated archive or folder either loads exactly the original data or is refused with
/// an <see cref="InvalidDataException"/> naming the file — never different data, never a hang, never another
/// exception type. DWF_CORRUPTION_SCALE=10 multiplies the generated archive cases for a by-hand run.
/// </summary>
public class Cifar10ReaderCorruptionTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private sealed record Loaded(byte[] Train, long[] TrainLabels, byte[] Test, long[] TestLabels, string[] Names)
    {
        public bool SameAs(Loaded o) => Train.AsSpan().SequenceEqual(o.Train) && TrainLabels.AsSpan().SequenceEqual(o.TrainLabels)
            && Test.AsSpan().SequenceEqual(o.Test) && TestLabels.AsSpan().SequenceEqual(o.TestLabels) && Names.SequenceEqual(o.Names);
    }

    private static Loaded Read(string path)
    {
        using var both = Cifar10Reader.LoadTrainAndTest(path);
        return new Loaded(both.Train.Images.data<byte>().ToArray(), both.Train.Labels.data<long>().ToArray(),
            both.Test.Images.data<byte>().ToArray(), both.Test.Labels.data<long>().ToArray(), [.. both.Train.ClassNames]);
    }

    /// <summary>Null if <paramref name="path"/> loads exactly <paramref name="expected"/> or is refused properly; else what went wrong.</summary>
    private static string? Outcome(string path, Loaded expected, string nameInMessage, ref int refused)
    {
        var task = Task.Run(() => Read(path));
        if (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(Timeout))
        {
            return $"no answer within {Timeout.TotalSeconds} s (hang)";
        }

        if (task.IsCompletedSuccessfully)
        {
            return task.Result.SameAs(expected) ? null : "loaded DIFFERENT data without an error";
        }

        var e = task.Exception!.InnerException!;
        if (e is not InvalidDataException || !e.Message.Contains(nameInMessage, StringComparison.Ordinal))
        {
            return $"{e.GetType().Name} instead of an InvalidDataException naming '{nameInMessage}': {e.Message}";
        }

        refused++;
        return null;
    }

    [Fact]
    public void LoadTrainAndTest_MutatedArchives_LoadExactlyOrRefuseNamingTheFile()
    {
        using var dir = new TempDirectory();
        var members = SyntheticCifar.Members(perBatch: 12);
        var expected = Read(SyntheticCifar.WriteArchive(dir.Path, members));
        string path = Path.Combine(dir.Path, "mutated.tar.gz");
        var failures = new List<string>();
        int cases = 0, refused = 0;

        foreach (var c in ArchiveMutations.All(members))
        {
            File.WriteAllBytes(path, c.Archive);
            cases++;
            if (Outcome(path, expected, path, ref refused) is { } problem)
            {
                failures.Add($"{c.Description}: {problem}");
            }
        }

        cases.Should().BeGreaterThanOrEqualTo(300 * ArchiveMutations.Scale);
        output.WriteLine($"{cases} mutated archives: {refused} refused, {cases - refused - failures.Count} loaded, {failures.Count} mishandled");
        failures.Should().BeEmpty($"{failures.Count} of {cases} mutated archives were mishandled");
        refused.Should().BeGreaterThan(cases / 2, "most mutations must be detected, not just survive as exact loads");
    }

    [Fact]
    public void LoadTrainAndTest_GzipTrailerCut_RefusedNamingTheFile()
    {
        using var dir = new TempDirectory();
        var members = SyntheticCifar.Members(perBatch: 12);
        byte[] archive = File.ReadAllBytes(SyntheticCifar.WriteArchive(dir.Path, members));
        string path = Path.Combine(dir.Path, "cut.tar.gz");
        File.WriteAllBytes(path, archive[..^8]);
        var cutOnly = () => Read(path);
        cutOnly.Should().Throw<InvalidDataException>().WithMessage($"*{path}*gzip trailer*");

        // Before the trailer was checked, every such archive of the audit loaded as other data.
        var copy = archive[..^8];
        copy[copy.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, copy);
        var flipped = () => Read(path);
        flipped.Should().Throw<InvalidDataException>().WithMessage($"*{path}*");
    }

    [Fact]
    public void LoadTrainAndTest_MutatedFolders_LoadExactlyOrRefuseNamingTheFile()
    {
        using var dir = new TempDirectory();
        var members = SyntheticCifar.Members(perBatch: 12);
        var expected = Read(SyntheticCifar.WriteFolder(Path.Combine(dir.Path, "original"), members));
        var failures = new List<string>();
        int cases = 0, refused = 0;
        var random = new Random(7);

        void Run(string description, Action<string> mutate, string nameInMessage)
        {
            string root = Path.Combine(dir.Path, $"case{cases++}");
            SyntheticCifar.WriteFolder(root, members);
            string folder = Path.Combine(root, Cifar10Format.FolderName);
            mutate(folder);
            if (Outcome(root, expected, nameInMessage, ref refused) is { } problem)
            {
                failures.Add($"{description}: {problem}");
            }

            Directory.Delete(root, recursive: true);
        }

        foreach (string member in members.Keys.Where(k => k.EndsWith(".bin", StringComparison.Ordinal)))
        {
            int length = members[member].Length;
            foreach (int cut in new[] { 1, 5, Cifar10Format.RecordSize, length - 1, random.Next(1, length) }.Distinct())
            {
                Run($"{member} truncated by {cut} bytes", f => File.WriteAllBytes(Path.Combine(f, member), members[member][..^cut]), member);
            }

            Run($"{member} with 7 extra bytes", f => File.WriteAllBytes(Path.Combine(f, member), [.. members[member], .. new byte[7]]), member);
            Run($"{member} empty", f => File.WriteAllBytes(Path.Combine(f, member), []), member);
            Run($"{member} label byte 10", f =>
            {
                var copy = (byte[])members[member].Clone();
                copy[Cifar10Format.RecordSize * 3] = 10;
                File.WriteAllBytes(Path.Combine(f, member), copy);
            }, member);
            Run($"{member} replaced by a folder", f =>
            {
                File.Delete(Path.Combine(f, member));
                Directory.CreateDirectory(Path.Combine(f, member));
            }, member);
            if (OperatingSystem.IsLinux())
            {
                Run($"{member} replaced by a FIFO", f =>
                {
                    File.Delete(Path.Combine(f, member));
                    MakeFifo(Path.Combine(f, member));
                }, member);
            }
        }

        Run("class names missing", f => File.Delete(Path.Combine(f, Cifar10Format.MetaFileName)), Cifar10Format.MetaFileName);
        Run("nine class names", f => File.WriteAllLines(Path.Combine(f, Cifar10Format.MetaFileName), SyntheticCifar.ClassNames[..9]), Cifar10Format.MetaFileName);

        output.WriteLine($"{cases} mutated folders: {refused} refused, {cases - refused - failures.Count} loaded, {failures.Count} mishandled");

        failures.Should().BeEmpty($"{failures.Count} of {cases} mutated folders were mishandled");
        refused.Should().Be(cases, "every folder mutation here changes the data, so every one must be refused");
    }

    [Fact]
    public void Load_FifoAsArchive_RefusedWithoutBlocking()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // mkfifo: Linux only
        }

        using var dir = new TempDirectory();
        string fifo = Path.Combine(dir.Path, "cifar-10-binary.tar.gz");
        MakeFifo(fifo);
        var expected = new Loaded([], [], [], [], []);
        int refused = 0;

        Outcome(fifo, expected, fifo, ref refused).Should().BeNull();
        refused.Should().Be(1);
    }

    [Fact]
    public void LoadTrainAndTest_Disposed_LeavesNoTensorForTheGarbageCollector()
    {
        using var dir = new TempDirectory();
        string path = SyntheticCifar.WriteArchive(dir.Path, SyntheticCifar.Members());

        LeakCheck.AssertNoLeak(() => Cifar10Reader.LoadTrainAndTest(path).Dispose());
        long before = LeakCheck.LiveTensors;
        Cifar10Reader.LoadTrainAndTest(path).Dispose();
        LeakCheck.LiveTensors.Should().Be(before, "disposing the splits must free every handle the load made, without a collection");
    }

    private static void MakeFifo(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        p.WaitForExit();
        p.ExitCode.Should().Be(0, "mkfifo must create the FIFO");
    }
}
