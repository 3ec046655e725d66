using System.Text;
using Dwf.Robustness.Tests.TestSupport;
using Dwf.Robustness.Training;
using TorchSharp.Modules;
using Dwf.Robustness.Persistence;
using static TorchSharp.torch;
using CheckpointFile = Dwf.Robustness.Persistence.TrainingCheckpoint<Dwf.Robustness.Training.BatchStats, Dwf.Robustness.Training.EpochMetrics>;

namespace Dwf.Robustness.Tests.Persistence;

/// <summary>
/// The hostile-file suite: model files and checkpoints mutated byte by byte, truncated, with lying sizes, dtypes and
/// header fields. Every refusal must be an <see cref="InvalidDataException"/> naming the file and leave the model
/// (and the optimizer) bit-identical; no case may crash the process or grow it by more than <see cref="MaxGrowthMb"/>.
/// DWF_CORRUPTION_SCALE=10 multiplies the random cases for a by-hand run.
/// </summary>
public class HostileFileTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const long MaxGrowthMb = 512;

    private static byte[] Snapshot(nn.Module module)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            module.save(writer);
        }

        return stream.ToArray();
    }

    private static byte[] Snapshot(OptimizerHelper optimizer)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            optimizer.save_state_dict(writer);
        }

        return stream.ToArray();
    }

    /// <summary>Peak resident memory of this process so far, in MB (Linux; 0 elsewhere).</summary>
    private static long PeakRssMb()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status))
        {
            return 0;
        }

        string? line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
    }

    /// <summary>Seeded mutations of <paramref name="file"/>: single-byte flips, truncations, appended bytes.</summary>
    private static IEnumerable<(string Description, byte[] Bytes)> Mutations(byte[] file, int firstInteresting, int seed)
    {
        var random = new Random(seed);
        int scale = ArchiveMutations.Scale;
        for (int i = 0; i < 120 * scale; i++)
        {
            // Half the flips land in the first bytes (magic, header, table of contents), where sizes and dtypes live.
            int at = i % 2 == 0 ? random.Next(Math.Min(file.Length, firstInteresting + 256)) : random.Next(file.Length);
            byte mask = (byte)random.Next(1, 256);
            var copy = (byte[])file.Clone();
            copy[at] ^= mask;
            yield return ($"byte {at} ^= 0x{mask:x2}", copy);
        }

        for (int i = 0; i < 30 * scale; i++)
        {
            int length = i < 4 ? file.Length - 1 - i : random.Next(file.Length);
            yield return ($"truncated to {length} of {file.Length} bytes", file[..length]);
        }

        yield return ("8 bytes appended", [.. file, .. new byte[8]]);
        yield return ("empty", []);
    }

    private static string? Refusal(Action load, string path)
    {
        try
        {
            load();
            return null;
        }
        catch (InvalidDataException e) when (e.Message.Contains(path, StringComparison.Ordinal))
        {
            return e.Message;
        }
    }

    [Fact]
    public void ModelFileLoad_HostileFiles_RefusedWithModelUnchanged()
    {
        using var dir = new TempDirectory();
        using var source = new TinyCnn(4, seed: 1);
        string original = dir.File("model.bin");
        ModelFile.Save(source, original);
        byte[] file = File.ReadAllBytes(original);
        string path = dir.File("hostile.bin");
        long peakBefore = PeakRssMb();
        var failures = new List<string>();
        int refused = 0, cases = 0;

        var cases2 = Mutations(file, 64, seed: 3).Concat(TargetedModelCases(file));
        foreach (var (description, bytes) in cases2)
        {
            cases++;
            File.WriteAllBytes(path, bytes);
            using var target = new TinyCnn(4, seed: 2);
            byte[] before = Snapshot(target);
            try
            {
                if (Refusal(() => ModelFile.Load(target, path), path) is not null)
                {
                    refused++;
                    if (!Snapshot(target).AsSpan().SequenceEqual(before))
                    {
                        failures.Add($"{description}: refused but the model was changed");
                    }
                }
                else if (!description.StartsWith("byte ", StringComparison.Ordinal))
                {
                    failures.Add($"{description}: loaded, but a file cut short, extended, with a lying size or dtype or a NaN must be refused");
                }
            }
            catch (Exception e)
            {
                failures.Add($"{description}: {e.GetType().Name}: {e.Message}");
            }
        }

        // A flipped weight byte is a different, valid model (the format has no checksum); everything else is refused.
        output.WriteLine($"{cases} hostile model files: {refused} refused, {cases - refused - failures.Count} loaded, {failures.Count} mishandled");
        failures.Should().BeEmpty($"{failures.Count} of {cases} hostile model files were mishandled");
        refused.Should().BeGreaterThan(40);
        (PeakRssMb() - peakBefore).Should().BeLessThan(MaxGrowthMb, "no size read from a file may drive an allocation");
    }

    /// <summary>Entry 0 (conv1.weight, float32 [8,3,3,3]): its dtype, rank and first dimension rewritten; a NaN weight.</summary>
    private static IEnumerable<(string, byte[])> TargetedModelCases(byte[] file)
    {
        using var reader = new BinaryReader(new MemoryStream(file));
        StateDictFile.Leb128(reader);
        reader.ReadString();
        int dtypeAt = (int)reader.BaseStream.Position;
        foreach (byte code in new byte[] { 0, 3, 5, 7, 11, 15, 0x7f })
        {
            var copy = (byte[])file.Clone();
            copy[dtypeAt] = code;
            yield return ($"entry 0 dtype code {code}", copy);
        }

        byte[] huge = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]; // LEB128 of 2^63 - 1
        yield return ("entry 0 rank 2^63-1", [.. file[..(dtypeAt + 1)], .. huge, .. file[(dtypeAt + 2)..]]);
        yield return ("entry 0 first dimension 2^63-1", [.. file[..(dtypeAt + 2)], .. huge, .. file[(dtypeAt + 3)..]]);
        byte[] negative = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]; // LEB128 of -1 as 64 bits
        yield return ("entry 0 first dimension -1", [.. file[..(dtypeAt + 2)], .. negative, .. file[(dtypeAt + 3)..]]);
        var nan = (byte[])file.Clone();
        BitConverter.GetBytes(float.NaN).CopyTo(nan, dtypeAt + 6); // conv1.weight [8,3,3,3]: dtype, rank, 4 dims, data
        yield return ("first weight NaN", nan);

        // An unreadable entry name (7-bit encoded length −1) and an entry written twice: both used to surface as
        // untyped messages without the file's name (issue 35).
        yield return ("entry 0 name length -1", [.. file[..1], 0xff, 0xff, 0xff, 0xff, 0x0f, .. file[(dtypeAt - 1 - "conv1.weight".Length + 1)..]]);
        reader.BaseStream.Position = dtypeAt;
        StateDictFile.SkipData(reader, StateDictFile.ReadEntryHeader(reader, "entry 0", "test"), "test");
        int entry1 = (int)reader.BaseStream.Position;
        yield return ("entry 0 written twice", [(byte)(file[0] + 1), .. file[1..], .. file[1..entry1]]);
    }

    [Fact]
    public void TrainingCheckpointLoad_HostileFiles_RefusedWithModelAndOptimizerUnchanged()
    {
        using var dir = new TempDirectory();
        var options = new Dwf.Robustness.Training.OptimizerOptions();
        string original = dir.File("run.ckpt");
        var fingerprint = new Dictionary<string, string> { ["seed"] = "1" };
        byte[] file = Checkpoint(original, options, steps: 2, batch: 2);
        int modelStart = ModelSectionStart(file);
        string path = dir.File("hostile.ckpt");
        long peakBefore = PeakRssMb();
        var failures = new List<string>();
        int refused = 0, cases = 0;

        foreach (var (description, bytes) in Mutations(file, modelStart, seed: 5).Concat(TargetedCheckpointCases(file)))
        {
            cases++;
            File.WriteAllBytes(path, bytes);
            using var target = new TinyCnn(4, seed: 2);
            using var optimizer = Sgd.Create(target.parameters(), options);
            byte[] model = Snapshot(target), state = Snapshot(optimizer);
            try
            {
                if (Refusal(() => CheckpointFile.Load(path, "test", fingerprint, target, [optimizer], int.MaxValue, int.MaxValue), path) is not null)
                {
                    refused++;
                    if (!Snapshot(target).AsSpan().SequenceEqual(model) || !Snapshot(optimizer).AsSpan().SequenceEqual(state))
                    {
                        failures.Add($"{description}: refused but the model or the optimizer was changed");
                    }
                }
            }
            catch (Exception e)
            {
                failures.Add($"{description}: {e.GetType().Name}: {e.Message}");
            }
        }

        output.WriteLine($"{cases} hostile checkpoints: {refused} refused, {cases - refused - failures.Count} loaded, {failures.Count} mishandled");

        failures.Should().BeEmpty($"{failures.Count} of {cases} hostile checkpoints were mishandled");
        refused.Should().BeGreaterThan(cases / 3);
        (PeakRssMb() - peakBefore).Should().BeLessThan(MaxGrowthMb, "no size read from a file may drive an allocation");
    }

    /// <summary>A checkpoint of TinyCnn after <paramref name="steps"/> SGD steps, its header at (epoch 0, <paramref name="batch"/>).</summary>
    private static byte[] Checkpoint(string path, Dwf.Robustness.Training.OptimizerOptions options, int steps, int batch)
    {
        using var model = new TinyCnn(4, seed: 1);
        using var optimizer = Sgd.Create(model.parameters(), options);
        var (images, labels) = SyntheticImages.Make(16, seed: 1);
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            nn.functional.cross_entropy(model.call(images), labels).backward();
            optimizer.step();
        }

        images.Dispose();
        labels.Dispose();
        CheckpointFile.Save(path, new CheckpointFile.Header("test", new() { ["seed"] = "1" }, 0, batch, new BatchStats(), []), model, [optimizer]);
        return File.ReadAllBytes(path);
    }

    [Theory]
    [InlineData("batch beyond the epoch", "*position (epoch 1, batch 1000)*3 epochs of 5 batches*")]
    [InlineData("momentum edited to 0", "*momentum 0*differ from this run's (0.9*")]
    [InlineData("momentum buffers removed", "*no momentum buffer*past the first step*")]
    public void TrainingCheckpointLoad_InconsistentWithTheRun_RefusedNamingWhat(string damage, string message)
    {
        // Each of these resumed before, silently breaking "resume is bit-identical" (issue 35).
        using var dir = new TempDirectory();
        var options = new Dwf.Robustness.Training.OptimizerOptions();
        string path = dir.File("run.ckpt");
        switch (damage)
        {
            case "batch beyond the epoch":
                Checkpoint(path, options, steps: 2, batch: 1000);
                break;
            case "momentum edited to 0":
            {
                var file = Checkpoint(path, options, steps: 2, batch: 2);
                byte[] momentum = BitConverter.GetBytes(options.Momentum);
                int sgd = file.AsSpan().LastIndexOf("SGD"u8);
                int at = sgd + file.AsSpan(sgd).IndexOf(momentum);
                at.Should().BeGreaterThan(sgd, "the group's momentum is stored after the optimizer's name");
                BitConverter.GetBytes(0.0).CopyTo(file, at);
                File.WriteAllBytes(path, file);
                break;
            }

            default:
                Checkpoint(path, options, steps: 0, batch: 2); // an optimizer that never stepped has no buffers
                break;
        }

        using var target = new TinyCnn(4, seed: 2);
        using var optimizer = Sgd.Create(target.parameters(), options);
        byte[] before = Snapshot(target);

        var act = () => CheckpointFile.Load(path, "test", new() { ["seed"] = "1" }, target, [optimizer], epochs: 3, batchesPerEpoch: 5);

        act.Should().Throw<InvalidDataException>().WithMessage(message).And.Message.Should().Contain(path);
        Snapshot(target).Should().Equal(before, "a refused checkpoint changes nothing");
    }

    private static int ModelSectionStart(byte[] file)
    {
        using var reader = new BinaryReader(new MemoryStream(file));
        reader.ReadString();
        reader.ReadString();
        return (int)reader.BaseStream.Position;
    }

    /// <summary>Every momentum buffer's dtype byte rewritten (the byte that crashed TorchSharp), and null header fields.</summary>
    private static IEnumerable<(string, byte[])> TargetedCheckpointCases(byte[] file)
    {
        byte[] sgd = [3, (byte)'S', (byte)'G', (byte)'D'];
        int at = file.AsSpan().IndexOf(sgd) + sgd.Length;
        at += 2 + 5 * 8 + 2; // group and state counts, five doubles, two flags: now at the first state's flag
        for (int code = 0; code < 12; code++)
        {
            if (code == 6)
            {
                continue; // Float32 itself
            }

            var copy = (byte[])file.Clone();
            copy[at + 1] = (byte)code;
            yield return ($"first momentum buffer dtype code {code}", copy);
        }

        var flag = (byte)file[at];
        var badFlag = (byte[])file.Clone();
        badFlag[at] = (byte)(flag + 2);
        yield return ("momentum flag 3", badFlag);

        int headerStart = 1 + "DWF-CHECKPOINT-1".Length;
        using var reader = new BinaryReader(new MemoryStream(file));
        reader.ReadString();
        string json = reader.ReadString();
        int rest = (int)reader.BaseStream.Position;
        foreach (string field in new[] { "Phase", "Fingerprint", "Partial", "History" })
        {
            string hostile = System.Text.RegularExpressions.Regex.Replace(json, $"\"{field}\":(\"[^\"]*\"|\\{{[^}}]*\\}}|\\[[^\\]]*\\])", $"\"{field}\":null");
            using var stream = new MemoryStream();
            using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(file.AsSpan(0, headerStart));
                writer.Write(hostile);
                writer.Write(file.AsSpan(rest));
            }

            yield return ($"header {field} null", stream.ToArray());
        }
    }
}
