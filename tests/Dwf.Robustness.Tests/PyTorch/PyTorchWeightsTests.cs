using System.IO.Compression;
using Dwf.Robustness.Experts;
using Dwf.Robustness.PyTorch;
using Dwf.Robustness.Tests.TestSupport;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.PyTorch;

public class PyTorchWeightsTests
{
    private static ResNet18 Net(long seed, double width = 0.125)
    {
        manual_seed(seed);
        var net = new ResNet18(4, width);
        net.eval();
        return net;
    }

    private static Dictionary<string, Tensor> Snapshot(nn.Module m) =>
        m.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone().DetachFromDisposeScope());

    private static bool SameOutputs(nn.Module<Tensor, Tensor> a, nn.Module<Tensor, Tensor> b)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var x = rand(2, 3, 32, 32);
        return a.call(x).equal(b.call(x)).all().item<bool>();
    }

    [Theory]
    [InlineData("w.pt")]
    [InlineData("w.safetensors")]
    public void SaveThenLoad_EitherFormat_BitIdenticalOutputs(string file)
    {
        using var dir = new TempDirectory();
        using var source = Net(1);
        using var target = Net(2);
        PyTorchWeights.Save(source, dir.File(file));

        PyTorchWeights.Load(target, dir.File(file));

        SameOutputs(source, target).Should().BeTrue();
        PyTorchWeights.List(dir.File(file)).Should().Contain(e => e.Name == "linear.weight" && e.ShapeText == "[4,64]");
    }

    [Theory]
    [InlineData("m.pt")]
    [InlineData("m.safetensors")]
    public void SaveThenLoad_WholeMixture_GateAndExpertsBitIdentical(string file)
    {
        using var dir = new TempDirectory();
        using var source = TinyMixture.Create(experts: 3, seed: 1);
        using var target = TinyMixture.Create(experts: 3, seed: 7);
        source.eval();
        target.eval();
        PyTorchWeights.Save(source, dir.File(file));

        PyTorchWeights.Load(target, dir.File(file));

        using var scope = NewDisposeScope();
        var x = rand(4, 3, 8, 8);
        source.call(x).equal(target.call(x)).all().item<bool>().Should().BeTrue();
        PyTorchWeights.List(dir.File(file)).Should().Contain(e => e.Name == "gate.scores.weight").And.Contain(e => e.Name.StartsWith("experts.2.", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_DataParallelPrefixAndTorchvisionNamesWithoutBatchCounters_MappedByKeyMap()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        using var source = Net(1);
        using var target = Net(2);
        var renamed = source.state_dict()
            .Where(kv => !kv.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            .ToDictionary(kv => "module." + kv.Key.Replace("linear.", "fc.", StringComparison.Ordinal).Replace("shortcut.", "downsample.", StringComparison.Ordinal), kv => kv.Value);
        SafetensorsFile.Write(dir.File("dp.safetensors"), renamed);

        var plain = () => PyTorchWeights.Load(target, dir.File("dp.safetensors"));
        plain.Should().Throw<InvalidDataException>().WithMessage("*unexpected 'module.fc.weight' (as 'fc.weight')*missing 'layer2.0.shortcut.0.weight'*Nothing was loaded*");
        PyTorchWeights.Load(target, dir.File("dp.safetensors"), KeyMap.Torchvision);

        SameOutputs(source, target).Should().BeTrue();
    }

    [Fact]
    public void Load_OtherWidth_ListsEveryDifferenceAndLeavesModuleUnchanged()
    {
        using var dir = new TempDirectory();
        using var wide = Net(1, width: 0.25);
        using var target = Net(2);
        var before = Snapshot(target);
        PyTorchWeights.Save(wide, dir.File("wide.pt"));

        var act = () => PyTorchWeights.Load(target, dir.File("wide.pt"));

        act.Should().Throw<InvalidDataException>().WithMessage("*wide.pt' does not match the ResNet18*'conv1.weight': file has Float32 [16,3,3,3], the module Float32 [8,3,3,3]*Nothing was loaded*");
        target.state_dict().Should().OnlyContain(kv => kv.Value.equal(before[kv.Key]).all().item<bool>());
    }

    public enum Hostile { TruncatedPickle, PickleOfAList, NotAZip, AbsurdHeaderLength, AbsurdShape, WrongDtype, OffsetsOutsideFile, NaNWeights, FlippedTensorByte, AliasedOffsets, UnindexedBytes }

    [Theory]
    [InlineData(Hostile.TruncatedPickle, "*is not a PyTorch state dict*")]
    [InlineData(Hostile.PickleOfAList, "*is not a PyTorch state dict*")]
    [InlineData(Hostile.NotAZip, "*is not a PyTorch state dict*")]
    [InlineData(Hostile.AbsurdHeaderLength, "*claims a 1152921504606846976-byte header*Nothing was allocated*")]
    [InlineData(Hostile.AbsurdShape, "*entry 'linear.weight' claims shape*more bytes than any file holds*")]
    [InlineData(Hostile.WrongDtype, "*'linear.bias': file has Int64 [4], the module Float32 [4]*")]
    [InlineData(Hostile.OffsetsOutsideFile, "*entry 'linear.bias'*outside the file's*")]
    [InlineData(Hostile.NaNWeights, "*entry 'linear.bias' holds NaN*")]
    [InlineData(Hostile.FlippedTensorByte, "*zip entry*does not match its checksum*")]
    [InlineData(Hostile.AliasedOffsets, "*overlap*non-overlapping*")]
    [InlineData(Hostile.UnindexedBytes, "*indexed entirely*")]
    public void Load_HostileFile_ClearErrorNamingFileAndEntryModuleUnchanged(Hostile kind, string message)
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        using var source = Net(1);
        using var target = Net(2);
        var before = Snapshot(target);
        string path = kind is Hostile.TruncatedPickle or Hostile.PickleOfAList or Hostile.NotAZip or Hostile.FlippedTensorByte ? dir.File("bad.pt") : dir.File("bad.safetensors");
        var state = source.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
        switch (kind)
        {
            case Hostile.TruncatedPickle:
                PyTorchWeights.Save(source, path);
                var bytes = File.ReadAllBytes(path);
                File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
                break;
            case Hostile.PickleOfAList:
                using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
                using (var entry = zip.CreateEntry("archive/data.pkl").Open())
                {
                    entry.Write(new Razorvine.Pickle.Pickler().dumps(new System.Collections.ArrayList { 1, 2, 3 }));
                }

                break;
            case Hostile.NotAZip:
                File.WriteAllText(path, "this is not a checkpoint");
                break;
            case Hostile.AbsurdHeaderLength:
                File.WriteAllBytes(path, [0, 0, 0, 0, 0, 0, 0, 16, (byte)'{', (byte)'}']);
                break;
            case Hostile.WrongDtype:
                state["linear.bias"] = state["linear.bias"].to(ScalarType.Int64);
                SafetensorsFile.Write(path, state);
                break;
            case Hostile.NaNWeights:
                state["linear.bias"] = full(4, float.NaN);
                SafetensorsFile.Write(path, state);
                break;
            case Hostile.FlippedTensorByte:
            {
                // PyTorch's torch.save stores tensors uncompressed: the file is rewritten so (same entries, stored),
                // then one bit of the bias flipped gives another finite weight that only the entry's CRC-32 can tell.
                PyTorchWeights.Save(source, path);
                using (var original = new MemoryStream(File.ReadAllBytes(path)))
                using (var input = new ZipArchive(original, ZipArchiveMode.Read))
                using (var output = ZipFile.Open(path + ".stored", ZipArchiveMode.Create))
                {
                    foreach (var e in input.Entries)
                    {
                        using var from = e.Open();
                        using var to = output.CreateEntry(e.FullName, System.IO.Compression.CompressionLevel.NoCompression).Open();
                        from.CopyTo(to);
                    }
                }

                File.Move(path + ".stored", path, overwrite: true);
                var pt = File.ReadAllBytes(path);
                var biasBytes = state["linear.bias"].contiguous().bytes.ToArray();
                int at = pt.AsSpan().IndexOf(biasBytes);
                at.Should().BeGreaterThan(0, "the stored bias must be found in the file");
                pt[at + 1] ^= 0x01;
                File.WriteAllBytes(path, pt);
                break;
            }

            case Hostile.AliasedOffsets or Hostile.UnindexedBytes:
            {
                SafetensorsFile.Write(path, state);
                var st = File.ReadAllBytes(path);
                string json = System.Text.Encoding.UTF8.GetString(st, 8, (int)BitConverter.ToInt64(st, 0)).TrimEnd();
                var bias = System.Text.RegularExpressions.Regex.Match(json, "\"linear.bias\":\\{\"dtype\":\"F32\",\"shape\":\\[4\\],\"data_offsets\":\\[(\\d+),(\\d+)\\]");
                bias.Success.Should().BeTrue();
                string edited = kind == Hostile.AliasedOffsets
                    ? json.Replace(bias.Value, bias.Value.Replace($"[{bias.Groups[1].Value},{bias.Groups[2].Value}]", "[0,16]", StringComparison.Ordinal), StringComparison.Ordinal)
                    : json;
                var rewritten = RewriteHeader(st, edited);
                File.WriteAllBytes(path, kind == Hostile.UnindexedBytes ? [.. rewritten, 1, 2, 3, 4, 5, 6, 7, 8] : rewritten);
                break;
            }

            default:
                SafetensorsFile.Write(path, state);
                var file = File.ReadAllBytes(path);
                string text = System.Text.Encoding.UTF8.GetString(file, 8, (int)BitConverter.ToInt64(file, 0)).TrimEnd();
                string header = kind == Hostile.AbsurdShape
                    ? System.Text.RegularExpressions.Regex.Replace(text, "\"linear.weight\":\\{\"dtype\":\"F32\",\"shape\":\\[4,64\\]", "\"linear.weight\":{\"dtype\":\"F32\",\"shape\":[4000000000000,16000000]")
                    : System.Text.RegularExpressions.Regex.Replace(text, "(\"linear.bias\":\\{\"dtype\":\"F32\",\"shape\":\\[4\\],\"data_offsets\":\\[)(\\d+),(\\d+)", m => $"{m.Groups[1].Value}999999990,1000000006");
                header.Should().NotBe(text, "the damage must change the header");
                File.WriteAllBytes(path, RewriteHeader(file, header));
                break;
        }

        var act = () => PyTorchWeights.Load(target, path);

        act.Should().Throw<InvalidDataException>().WithMessage(message).And.Message.Should().Contain(Path.GetFileName(path));
        target.state_dict().Should().OnlyContain(kv => kv.Value.equal(before[kv.Key]).all().item<bool>(), "nothing is half-loaded");
    }

    /// <summary>Replaces a safetensors file's JSON header with <paramref name="header"/>, fixing the length field; the data section is kept.</summary>
    private static byte[] RewriteHeader(byte[] file, string header)
    {
        long oldLength = BitConverter.ToInt64(file, 0);
        var json = System.Text.Encoding.UTF8.GetBytes(header);
        int padding = (8 - json.Length % 8) % 8;
        var result = new List<byte>(BitConverter.GetBytes((long)(json.Length + padding)));
        result.AddRange(json);
        result.AddRange(Enumerable.Repeat((byte)' ', padding));
        result.AddRange(file[(int)(8 + oldLength)..]);
        return [.. result];
    }

    [Fact]
    public void KeyMap_Map_StripsRenamesAndDrops()
    {
        KeyMap.Default.Map("module.layer1.0.conv1.weight").Should().Be("layer1.0.conv1.weight");
        KeyMap.Torchvision.Map("model.layer2.0.downsample.0.weight").Should().Be("layer2.0.shortcut.0.weight");
        KeyMap.Torchvision.Map("fc.bias").Should().Be("linear.bias");
        KeyMap.RobustBench.Map("module.mu").Should().BeNull();
    }

    [Fact]
    public void PreActResNet18Expert_SavedAndLoaded_SameOutputs()
    {
        using var dir = new TempDirectory();
        manual_seed(5);
        var a = Expert.PreActResNet18("pre", ExpertKind.Pgd, 4, width: 0.125);
        manual_seed(6);
        var b = Expert.PreActResNet18("pre", ExpertKind.Pgd, 4, width: 0.125);
        a.Module.eval();
        b.Module.eval();
        PyTorchWeights.Save(a.Module, dir.File("pre.pt"));

        PyTorchWeights.Load(b.Module, dir.File("pre.pt"));

        SameOutputs(a.Module, b.Module).Should().BeTrue();
        PyTorchWeights.List(dir.File("pre.pt")).Select(e => e.Name).Should().Contain(["bn.weight", "layer2.0.shortcut.0.weight", "linear.weight"]);
        a.Module.Dispose();
        b.Module.Dispose();
    }
}
