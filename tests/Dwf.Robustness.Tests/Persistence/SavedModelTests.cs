using Dwf.Robustness.Experts;
using Dwf.Robustness.Persistence;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Tests.TestSupport;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Persistence;

public class SavedModelTests
{
    private static Expert SmallExpert(string name, ExpertKind kind, long seed)
    {
        manual_seed(seed);
        return new Expert(new ResNet18(4, 0.125, mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3]), name, 4, kind);
    }

    private static MixtureOfExperts SmallMixture(bool topK)
    {
        var experts = new IExpert[] { SmallExpert("a", ExpertKind.Clean, 1), SmallExpert("b", ExpertKind.Fgsm, 2), SmallExpert("c", ExpertKind.Pgd, 3) };
        manual_seed(4);
        var soft = new SoftGate(3, width: 4, temperature: 2);
        return new MixtureOfExperts(experts, topK ? new TopKGate(soft, 2) : soft, MixtureMode.Probabilities);
    }

    /// <summary>Saves <see cref="SmallMixture"/> as m.bin in <paramref name="dir"/>; returns its manifest's path and text.</summary>
    private static (string Manifest, string Json) SavedSmallMixture(TempDirectory dir)
    {
        using (var mixture = SmallMixture(topK: false))
        {
            SavedModel.Save(mixture, dir.File("m.bin"));
        }

        string manifest = ModelManifest.PathFor(dir.File("m.bin"));
        return (manifest, File.ReadAllText(manifest));
    }

    /// <summary>Saves a small expert as x.bin in <paramref name="dir"/>; returns the weights' path.</summary>
    private static string SavedSmallExpert(TempDirectory dir)
    {
        var expert = SmallExpert("x", ExpertKind.Clean, 1);
        string path = dir.File("x.bin");
        SavedModel.Save(expert, path);
        expert.Module.Dispose();
        return path;
    }

    [Fact]
    public void LoadExpert_SavedExpert_RebuiltWithoutUserCodeAndBitIdentical()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var expert = SmallExpert("pgd-1", ExpertKind.Pgd, 7);
        expert.Module.eval();
        var x = rand(3, 3, 32, 32);
        string path = dir.File("pgd-1.bin");
        SavedModel.Save(expert, path);

        var loaded = SavedModel.LoadExpert(path);

        (loaded.Name, loaded.Kind, loaded.NumClasses).Should().Be(("pgd-1", ExpertKind.Pgd, 4));
        ((ResNet18)loaded.Module).Mean.Should().Equal(0.5, 0.4, 0.3);
        loaded.Module.call(x).equal(expert.Module.call(x)).all().item<bool>().Should().BeTrue();
        File.ReadAllText(ModelManifest.PathFor(path)).Should().Contain("\"architecture\": \"ResNet18\"").And.Contain("\"width\": 0.125");
        loaded.Module.Dispose();
        expert.Module.Dispose();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LoadMixture_SavedMixture_SameExpertsGateModeAndOutputs(bool topK)
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        using var mixture = SmallMixture(topK);
        mixture.eval();
        var x = rand(2, 3, 32, 32);
        string path = dir.File("dwf.bin");
        SavedModel.Save(mixture, path);

        using var loaded = SavedModel.LoadMixture(path);

        loaded.Experts.Select(e => (e.Name, e.Kind)).Should().Equal(mixture.Experts.Select(e => (e.Name, e.Kind)));
        loaded.Mode.Should().Be(MixtureMode.Probabilities);
        loaded.Gate.GetType().Should().Be(topK ? typeof(TopKGate) : typeof(SoftGate));
        loaded.call(x).equal(mixture.call(x)).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Save_CustomModule_NotSupportedNamingTheFix()
    {
        using var dir = new TempDirectory();
        using var module = new TinyCnn(4);

        var act = () => SavedModel.Save(new Expert(module, "custom", 4), dir.File("c.bin"));

        act.Should().Throw<NotSupportedException>().WithMessage("*'custom' wraps a TinyCnn*ModelFile.Save*");
        File.Exists(dir.File("c.bin")).Should().BeFalse("nothing is written when the model cannot be described");
    }

    [Fact]
    public void Save_WithClassNames_KeptInTheManifestAndAbsentWithout()
    {
        using var dir = new TempDirectory();
        using (var mixture = SmallMixture(topK: false))
        {
            SavedModel.Save(mixture, dir.File("named.bin"), ["cat", "dog", "ship", "truck"]);
        }

        string unnamed = SavedSmallMixture(dir).Json;

        ModelManifest.Read(ModelManifest.PathFor(dir.File("named.bin"))).ClassNames.Should().Equal("cat", "dog", "ship", "truck");
        using (var loaded = SavedModel.LoadMixture(dir.File("named.bin")))
        {
            loaded.Experts.Should().HaveCount(3);
        }

        unnamed.Should().NotContain("classNames", "a model saved without names keeps the manifest it always had");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void Save_ClassNamesNotOnePerClass_RefusedNamingTheCountAndNothingWritten(int count) =>
        SaveRefused((expert, path) => SavedModel.Save(expert, path, Enumerable.Range(0, count).Select(i => $"c{i}").ToArray()),
            $"*one name (1 to 256 characters, not all white space, without control characters) per class (4); got {count} name(s)*");

    /// <summary>Saving a small 4-class expert with <paramref name="save"/> throws an <see cref="ArgumentException"/> matching <paramref name="message"/> and writes no weights.</summary>
    private static void SaveRefused(Action<IExpert, string> save, string message)
    {
        using var dir = new TempDirectory();
        var expert = SmallExpert("x", ExpertKind.Clean, 1);

        var act = () => save(expert, dir.File("x.bin"));

        act.Should().Throw<ArgumentException>().WithMessage(message);
        File.Exists(dir.File("x.bin")).Should().BeFalse();
        expert.Module.Dispose();
    }

    [Fact]
    public void Save_WithImageSize_KeptInTheManifestAndAbsentWithout()
    {
        using var dir = new TempDirectory();
        var expert = SmallExpert("x", ExpertKind.Clean, 1);

        SavedModel.Save(expert, dir.File("sized.bin"), imageSize: 64);
        SavedModel.Save(expert, dir.File("plain.bin"));

        ModelManifest.Read(ModelManifest.PathFor(dir.File("sized.bin"))).ImageSize.Should().Be(64);
        File.ReadAllText(ModelManifest.PathFor(dir.File("plain.bin"))).Should().NotContain("imageSize", "a model saved without it keeps the manifest it always had");
        using var loaded = SavedModel.LoadExpert(dir.File("sized.bin")).Module;
        expert.Module.Dispose();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5000)]
    public void Save_ImageSizeOutOfRange_RefusedNamingItAndNothingWritten(int size) =>
        SaveRefused((expert, path) => SavedModel.Save(expert, path, imageSize: size), $"*imageSize*1 to 4096*got {size}*");

    [Fact]
    public void LoadExpert_ManifestImageSizeZero_RefusedNamingTheEntry()
    {
        using var dir = new TempDirectory();
        var expert = SmallExpert("x", ExpertKind.Clean, 1);
        SavedModel.Save(expert, dir.File("x.bin"), imageSize: 32);
        expert.Module.Dispose();
        string manifest = ModelManifest.PathFor(dir.File("x.bin"));
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"imageSize\": 32", "\"imageSize\": 0", StringComparison.Ordinal));

        var act = () => SavedModel.LoadExpert(dir.File("x.bin"));

        act.Should().Throw<InvalidDataException>().WithMessage("*entry 'imageSize' is 0*1 to 4096 pixels*");
    }

    [Theory]
    [InlineData("dog\nfox", "*'dog\\u000afox' is not a class name*without control characters*")]
    [InlineData("dog\rfox", "*'dog\\u000dfox' is not a class name*")]
    [InlineData("   ", "*'   ' is not a class name*not all white space*")]
    [InlineData("", "*'' is not a class name*1 to 256 characters*")]
    public void Save_ClassNameNotOnOneShowableLine_RefusedNamingItAndNothingWritten(string name, string message) =>
        SaveRefused((expert, path) => SavedModel.Save(expert, path, ["cat", name, "owl", "emu"]), message);

    [Fact]
    public void LoadExpert_ManifestClassNameAllWhiteSpace_RefusedNamingTheEntry()
    {
        using var dir = new TempDirectory();
        var expert = SmallExpert("x", ExpertKind.Clean, 1);
        SavedModel.Save(expert, dir.File("x.bin"), ["a", "b", "c", "d"]);
        expert.Module.Dispose();
        string manifest = ModelManifest.PathFor(dir.File("x.bin"));
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"d\"", "\"  \"", StringComparison.Ordinal));

        var act = () => SavedModel.LoadExpert(dir.File("x.bin"));

        act.Should().Throw<InvalidDataException>().WithMessage("*entry 'classNames'*not all white space*");
    }

    [Fact]
    public void LoadExpert_ManifestClassNamesOfOtherCount_RefusedNamingTheEntry()
    {
        using var dir = new TempDirectory();
        var expert = SmallExpert("x", ExpertKind.Clean, 1);
        SavedModel.Save(expert, dir.File("x.bin"), ["a", "b", "c", "d"]);
        expert.Module.Dispose();
        string manifest = ModelManifest.PathFor(dir.File("x.bin"));
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"d\"", "\"d\", \"e\"", StringComparison.Ordinal));

        var act = () => SavedModel.LoadExpert(dir.File("x.bin"));

        act.Should().Throw<InvalidDataException>().WithMessage("*entry 'classNames' is 5*one name per class (4)*");
    }

    public enum Damage { AbsurdWidth, AbsurdClasses, GateExpertCount, OtherSchema, NotJson, Huge, NegativeStd, TopKWithoutK }

    [Theory]
    [InlineData(Damage.AbsurdWidth, "*entry 'experts[0].width' is 1000000*(0, 16]*")]
    [InlineData(Damage.AbsurdClasses, "*not a valid model manifest*")]
    [InlineData(Damage.GateExpertCount, "*entry 'gate.experts' is 7*the number of experts, 3*")]
    [InlineData(Damage.OtherSchema, "*entry 'schemaVersion' is 9*")]
    [InlineData(Damage.NotJson, "*not a valid model manifest*")]
    [InlineData(Damage.Huge, "*a model manifest is at most*nothing was read*")]
    [InlineData(Damage.NegativeStd, "*entry 'experts[1].std'*finite numbers > 0*")]
    [InlineData(Damage.TopKWithoutK, "*entry 'gate.k' is missing*1 to 3*")]
    public void LoadMixture_HostileManifest_RefusedNamingFileAndEntryBeforeBuilding(Damage damage, string message)
    {
        using var dir = new TempDirectory();
        var (manifest, json) = SavedSmallMixture(dir);
        string damaged = damage switch
        {
            Damage.AbsurdWidth => ReplaceFirst(json, "\"width\": 0.125", "\"width\": 1000000"),
            Damage.AbsurdClasses => ReplaceFirst(json, "\"numClasses\": 4", "\"numClasses\": 99999999999999"),
            Damage.GateExpertCount => json.Replace("\"experts\": 3", "\"experts\": 7", StringComparison.Ordinal),
            Damage.OtherSchema => json.Replace("\"schemaVersion\": 2", "\"schemaVersion\": 9", StringComparison.Ordinal),
            Damage.NotJson => json[..(json.Length / 2)],
            Damage.Huge => json + new string(' ', (int)ModelManifest.MaxFileBytes),
            Damage.NegativeStd => ReplaceNth(json, "0.2,", "-0.2,", 2),
            _ => json.Replace("\"type\": \"Soft\"", "\"type\": \"TopK\"", StringComparison.Ordinal),
        };
        damaged.Should().NotBe(json, "the damage must change the file");
        File.WriteAllText(manifest, damaged);

        var act = () => SavedModel.LoadMixture(dir.File("m.bin"));

        act.Should().Throw<InvalidDataException>().WithMessage(message).And.Message.Should().Contain("m.bin.manifest.json");
    }

    [Fact]
    public void LoadExpert_ManifestOfOtherWidthThanWeights_RefusedByTheWeightCheck()
    {
        using var dir = new TempDirectory();
        var expert = SmallExpert("x", ExpertKind.Clean, 1);
        SavedModel.Save(expert, dir.File("x.bin"));
        expert.Module.Dispose();
        string manifest = ModelManifest.PathFor(dir.File("x.bin"));
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"width\": 0.125", "\"width\": 0.25", StringComparison.Ordinal));

        var act = () => SavedModel.LoadExpert(dir.File("x.bin"));

        act.Should().Throw<InvalidDataException>().WithMessage("*x.bin.manifest.json' was changed after it was written*Nothing was built*");
    }

    public enum Edit { Mean, Mode, Temperature, ExpertName }

    [Theory]
    [InlineData(Edit.Mean)]
    [InlineData(Edit.Mode)]
    [InlineData(Edit.Temperature)]
    [InlineData(Edit.ExpertName)]
    public void LoadMixture_ManifestEntryEditedInRange_RefusedAsChanged(Edit edit)
    {
        // Each of these used to load silently as another model from the same weights (issue 35).
        using var dir = new TempDirectory();
        var (manifest, json) = SavedSmallMixture(dir);
        string edited = edit switch
        {
            Edit.Mean => ReplaceFirst(json, "0.5,", "0.45,"),
            Edit.Mode => json.Replace("\"mode\": \"Probabilities\"", "\"mode\": \"Logits\"", StringComparison.Ordinal),
            Edit.Temperature => json.Replace("\"temperature\": 2", "\"temperature\": 1", StringComparison.Ordinal),
            _ => json.Replace("\"name\": \"b\"", "\"name\": \"bb\"", StringComparison.Ordinal),
        };
        edited.Should().NotBe(json, "the edit must change the file");
        File.WriteAllText(manifest, edited);

        var act = () => SavedModel.LoadMixture(dir.File("m.bin"));

        act.Should().Throw<InvalidDataException>().WithMessage("*m.bin.manifest.json' was changed after it was written*");
    }

    [Fact]
    public void LoadExpert_WeightByteFlipped_RefusedNamingBothFiles()
    {
        using var dir = new TempDirectory();
        string path = SavedSmallExpert(dir);
        var bytes = File.ReadAllBytes(path);
        bytes[^5] ^= 0x01; // the last weight: a different, finite value
        File.WriteAllBytes(path, bytes);

        var act = () => SavedModel.LoadExpert(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"*'{path}' is not the weights file its manifest*x.bin.manifest.json*SHA-256*Nothing was loaded*");
    }

    [Fact]
    public void LoadExpert_ManifestWithValidHashesAskingForAHugeModel_RefusedBeforeBuilding()
    {
        // A manifest rewritten with correct hashes (as a hostile tool would) for a width-8 ResNet-18 — 64² times the
        // values of the width-0.125 weights beside it — must not make the load allocate that model.
        using var dir = new TempDirectory();
        string path = SavedSmallExpert(dir);
        var saved = ModelManifest.Read(ModelManifest.PathFor(path));
        var hostile = (saved with { Experts = [saved.Experts[0] with { Width = 8 }] }).For(File.ReadAllBytes(path));
        File.WriteAllText(ModelManifest.PathFor(path), hostile.ToJson());
        long before = GC.GetTotalAllocatedBytes();

        var act = () => SavedModel.LoadExpert(path);

        act.Should().Throw<InvalidDataException>().WithMessage("*describes a model of at least*values, but*x.bin' holds*Nothing was built*");
        (GC.GetTotalAllocatedBytes() - before).Should().BeLessThan(64L << 20, "nothing of the model's size was allocated");
    }

    [Fact]
    public void LoadExpert_SchemaOneManifest_LoadsAndWarnsThatItIsUnchecked()
    {
        using var dir = new TempDirectory();
        string path = SavedSmallExpert(dir);
        var saved = ModelManifest.Read(ModelManifest.PathFor(path));
        File.WriteAllText(ModelManifest.PathFor(path), (saved with { SchemaVersion = 1, WeightsSha256 = null, ManifestSha256 = null }).ToJson());
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger();

        using var loaded = SavedModel.LoadExpert(path, logger: logger).Module;

        logger.Lines().Should().ContainSingle().Which.Should().Contain("schema-1 manifest").And.Contain("Save the model again");
    }

    [Fact]
    public void ReadManifest_Fifo_RefusedWithoutBlocking()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // mkfifo: Linux only
        }

        using var dir = new TempDirectory();
        string fifo = dir.File("x.bin.manifest.json");
        using (var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("mkfifo", [fifo]) { UseShellExecute = false })!)
        {
            p.WaitForExit();
        }

        var read = Task.Run(() => ModelManifest.Read(fifo));

        ((IAsyncResult)read).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10)).Should().BeTrue("reading a FIFO must not block");
        read.Exception!.InnerException.Should().BeOfType<InvalidDataException>().Which.Message.Should().Contain("not a regular file");
    }

    [Fact]
    public void LoadExpert_MixtureFile_RefusedNamingTheRightMethod()
    {
        using var dir = new TempDirectory();
        using (var mixture = SmallMixture(topK: false))
        {
            SavedModel.Save(mixture, dir.File("m.bin"));
        }

        var act = () => SavedModel.LoadExpert(dir.File("m.bin"));

        act.Should().Throw<InvalidDataException>().WithMessage("*mixture of 3 experts*SavedModel.LoadMixture*");
    }

    private static string ReplaceFirst(string text, string what, string with)
    {
        int i = text.IndexOf(what, StringComparison.Ordinal);
        return i < 0 ? text : text[..i] + with + text[(i + what.Length)..];
    }

    private static string ReplaceNth(string text, string what, string with, int n)
    {
        int i = -1;
        for (int k = 0; k < n; k++)
        {
            i = text.IndexOf(what, i + 1, StringComparison.Ordinal);
            if (i < 0)
            {
                return text;
            }
        }

        return text[..i] + with + text[(i + what.Length)..];
    }
}
