using Dwf.Robustness.Defenses;
using Dwf.Robustness.Defenses.AdvMoe;
using Dwf.Robustness.Defenses.Soe;
using Dwf.Robustness.Experts;
using Dwf.Robustness.Persistence;
using Dwf.Robustness.Testing;
using Dwf.Robustness.Tests.TestSupport;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Defenses;

public class SavedDefenseTests
{
    private static void OutputsEqual(nn.Module<Tensor, Tensor> a, nn.Module<Tensor, Tensor> b)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (x, _) = SyntheticImages.Make(4, seed: 3);
        a.eval();
        b.eval();
        (a.call(x) - b.call(x)).abs().max().item<float>().Should().Be(0f, "the loaded model is the saved one, bit for bit");
    }

    [Fact]
    public void LoadSoe_SavedResNet20Members_RebuiltWithoutTheRecipeAndBitIdentical()
    {
        using var dir = new TempDirectory();
        manual_seed(5);
        using var model = SynergyOfExperts.ResNet20(experts: 2, numClasses: 4, depth: 8, width: 0.25);
        string path = dir.File("soe.bin");

        SavedDefense.Save(model, path);
        using var loaded = SavedDefense.LoadSoe(path);

        (loaded.Members, loaded.NumClasses, loaded.SurrogateTemperature).Should().Be((2, 4, model.SurrogateTemperature));
        loaded.training.Should().BeFalse();
        OutputsEqual(model, loaded);
    }

    [Fact]
    public void LoadAdvMoe_Saved_RebuiltWithoutTheRecipeAndBitIdentical()
    {
        using var dir = new TempDirectory();
        manual_seed(6);
        using var model = new AdvMoeResNet18(4, experts: 2, width: 0.125, ratio: 0.5, routerWidth: 0.25);
        string path = dir.File("advmoe.bin");

        SavedDefense.Save(model, path);
        using var loaded = SavedDefense.LoadAdvMoe(path);

        (loaded.NumClasses, loaded.Experts, loaded.Width, loaded.Ratio, loaded.RouterWidth).Should().Be((4, 2, 0.125, 0.5, 0.25));
        OutputsEqual(model, loaded);
    }

    /// <summary>A small ADVMoE saved under <paramref name="dir"/>, with the given normalization (CIFAR-10's when null).</summary>
    private static (AdvMoeResNet18 Model, string Path) SavedAdvMoe(TempDirectory dir, double[]? mean = null, double[]? std = null)
    {
        manual_seed(8);
        var model = new AdvMoeResNet18(4, experts: 2, width: 0.125, ratio: 0.5, routerWidth: 0.25, mean: mean, std: std);
        string path = dir.File("advmoe.bin");
        SavedDefense.Save(model, path);
        return (model, path);
    }

    /// <summary>Rewrites the manifest of <paramref name="path"/> with its ADVMoE entry changed, hashes and all, as another version would have written it.</summary>
    private static void RewriteAdvMoe(string path, Func<AdvMoeManifest, AdvMoeManifest> change)
    {
        var manifest = ModelManifest.Read(ModelManifest.PathFor(path));
        File.WriteAllText(ModelManifest.PathFor(path), (manifest with { AdvMoe = change(manifest.AdvMoe!) }).For(File.ReadAllBytes(path)).ToJson());
    }

    [Fact]
    public void LoadAdvMoe_SavedWithItsOwnNormalization_RebuiltWithItAndBitIdentical()
    {
        using var dir = new TempDirectory();
        double[] mean = [0.2, 0.3, 0.4], std = [0.5, 0.25, 0.125];
        var (model, path) = SavedAdvMoe(dir, mean, std);
        using var _ = model;

        using var loaded = SavedDefense.LoadAdvMoe(path);

        ModelManifest.Read(ModelManifest.PathFor(path)).AdvMoe!.Mean.Should().Equal(mean);
        loaded.Mean.Should().Equal(mean, "backbone and router normalize with the data's statistics");
        loaded.Std.Should().Equal(std);
        OutputsEqual(model, loaded);
    }

    [Fact]
    public void LoadAdvMoe_ManifestWrittenBeforeTheNormalizationWasRecorded_CifarConstants()
    {
        using var dir = new TempDirectory();
        var (model, path) = SavedAdvMoe(dir);
        using var _ = model;
        ModelManifest.Read(ModelManifest.PathFor(path)).AdvMoe!.Mean.Should().NotBeNull("today's manifests record it");
        RewriteAdvMoe(path, a => a with { Mean = null, Std = null });
        File.ReadAllText(ModelManifest.PathFor(path)).Should().NotContain("\"mean\"");

        using var loaded = SavedDefense.LoadAdvMoe(path);

        loaded.Mean.Should().Equal(InputNormalization.Cifar10Mean);
        OutputsEqual(model, loaded);
    }

    [Fact]
    public void LoadAdvMoe_ManifestWithMeanButNoStd_RefusedNamingTheEntry()
    {
        using var dir = new TempDirectory();
        var (model, path) = SavedAdvMoe(dir);
        model.Dispose();
        RewriteAdvMoe(path, a => a with { Std = null });

        var act = () => SavedDefense.LoadAdvMoe(path);

        act.Should().Throw<InvalidDataException>().WithMessage("*advMoe.std*");
    }

    [Fact]
    public void LoadClassifier_EveryKind_LoadsTheSavedModel()
    {
        using var dir = new TempDirectory();
        manual_seed(7);
        using var soe = SynergyOfExperts.ResNet18(experts: 2, numClasses: 4, width: 0.125);
        using var advMoe = new AdvMoeResNet18(4, experts: 2, width: 0.125, ratio: 0.5);
        var expert = new Expert(new ResNet18(4, 0.125), "e", 4);
        using var mixture = TinyMixture.Create(experts: 2, seed: 1);
        SavedDefense.Save(soe, dir.File("soe.bin"));
        SavedDefense.Save(advMoe, dir.File("advmoe.bin"));
        SavedModel.Save(expert, dir.File("e.bin"));

        using var loadedSoe = SavedDefense.LoadClassifier(dir.File("soe.bin"));
        using var loadedAdvMoe = SavedDefense.LoadClassifier(dir.File("advmoe.bin"));
        using var loadedExpert = SavedDefense.LoadClassifier(dir.File("e.bin"));

        loadedSoe.Should().BeOfType<SynergyOfExperts>();
        loadedAdvMoe.Should().BeOfType<AdvMoeResNet18>();
        loadedExpert.Should().BeOfType<ResNet18>();
        OutputsEqual(soe, loadedSoe);
        OutputsEqual(advMoe, loadedAdvMoe);
        OutputsEqual(expert.Module, loadedExpert);
        expert.Module.Dispose();
    }

    [Fact]
    public void LoadSoe_AdvMoeFile_RefusedNamingTheRightMethod()
    {
        using var dir = new TempDirectory();
        using (var advMoe = new AdvMoeResNet18(4, experts: 2, width: 0.125, ratio: 0.5))
        {
            SavedDefense.Save(advMoe, dir.File("a.bin"));
        }

        var act = () => SavedDefense.LoadSoe(dir.File("a.bin"));

        act.Should().Throw<InvalidDataException>().WithMessage("*an ADVMoE network, not a Synergy-of-Experts model*SavedDefense.LoadAdvMoe*");
    }

    [Fact]
    public void LoadSoe_ManifestWithValidHashesAskingForAHugeModel_RefusedBeforeBuilding()
    {
        using var dir = new TempDirectory();
        string path = dir.File("soe.bin");
        using (var model = SynergyOfExperts.ResNet20(experts: 2, numClasses: 4, depth: 8, width: 0.25))
        {
            SavedDefense.Save(model, path);
        }

        var saved = ModelManifest.Read(ModelManifest.PathFor(path));
        var hostile = (saved with { Soe = saved.Soe! with { Members = 64, Width = 16, Depth = 110 } }).For(File.ReadAllBytes(path));
        File.WriteAllText(ModelManifest.PathFor(path), hostile.ToJson());
        long before = GC.GetTotalAllocatedBytes();

        var act = () => SavedDefense.LoadSoe(path);

        act.Should().Throw<InvalidDataException>().WithMessage("*describes a model of at least*values, but*soe.bin' holds*Nothing was built*");
        (GC.GetTotalAllocatedBytes() - before).Should().BeLessThan(64L << 20, "nothing of the model's size was allocated");
    }

    [Theory]
    [InlineData("\"members\": 2", "\"members\": 1", "soe.members")]
    [InlineData("\"depth\": 8", "\"depth\": 9", "soe.depth")]
    [InlineData("\"kind\": \"SynergyOfExperts\"", "\"kind\": \"Expert\"", "soe")]
    public void ReadManifest_SoeEntryOutOfRange_RefusedNamingTheEntry(string what, string with, string entry)
    {
        using var dir = new TempDirectory();
        string path = dir.File("soe.bin");
        using (var model = SynergyOfExperts.ResNet20(experts: 2, numClasses: 4, depth: 8, width: 0.25))
        {
            SavedDefense.Save(model, path);
        }

        string manifest = ModelManifest.PathFor(path);
        string json = File.ReadAllText(manifest);
        json.Should().Contain(what);
        File.WriteAllText(manifest, json.Replace(what, with, StringComparison.Ordinal));

        var act = () => ModelManifest.Read(manifest);

        act.Should().Throw<InvalidDataException>().WithMessage($"*entry '{entry}'*");
    }

    [Fact]
    public void Save_SoeWithCustomMembers_RefusedNamingModelFile()
    {
        using var dir = new TempDirectory();
        using var model = new SynergyOfExperts([new TinyCnn(5, seed: 1), new TinyCnn(5, seed: 2)], numClasses: 4);

        var act = () => SavedDefense.Save(model, dir.File("soe.bin"));

        act.Should().Throw<NotSupportedException>().WithMessage("*TinyCnn*ModelFile.Save*");
        File.Exists(dir.File("soe.bin")).Should().BeFalse();
    }

    [Fact]
    public void ToJson_ExpertManifest_HasNoEntryOfTheDefenseSections()
    {
        using var module = new ResNet18(4, 0.125);
        var json = ModelManifest.Of(new Expert(module, "x", 4)).ToJson();

        json.Should().NotContain("soe").And.NotContain("advMoe", "manifests of experts and mixtures are written as before, so their hashes still hold");
    }

    private static readonly string[] Names = ["cat", "dog", "fox", "owl"];

    [Fact]
    public void Save_RivalsWithClassNamesAndImageSize_KeptInTheManifest()
    {
        using var dir = new TempDirectory();
        using var soe = SynergyOfExperts.ResNet20(experts: 2, numClasses: 4, depth: 8, width: 0.25);
        using var advMoe = new AdvMoeResNet18(4, experts: 2, width: 0.125, ratio: 0.5);

        SavedDefense.Save(soe, dir.File("soe.bin"), Names, imageSize: 48);
        SavedDefense.Save(advMoe, dir.File("advmoe.bin"), Names, imageSize: 40);

        var (soeManifest, advMoeManifest) = (ModelManifest.Read(ModelManifest.PathFor(dir.File("soe.bin"))), ModelManifest.Read(ModelManifest.PathFor(dir.File("advmoe.bin"))));
        (soeManifest.ClassNames, soeManifest.ImageSize).Should().BeEquivalentTo((Names, 48));
        (advMoeManifest.ClassNames, advMoeManifest.ImageSize).Should().BeEquivalentTo((Names, 40));
        using var loaded = SavedDefense.LoadSoe(dir.File("soe.bin"));
        OutputsEqual(soe, loaded);
    }

    [Fact]
    public void Save_RivalWithTooFewClassNames_RefusedAndNothingWritten()
    {
        using var dir = new TempDirectory();
        using var advMoe = new AdvMoeResNet18(4, experts: 2, width: 0.125, ratio: 0.5);

        var act = () => SavedDefense.Save(advMoe, dir.File("advmoe.bin"), ["cat", "dog", "fox"]);

        act.Should().Throw<ArgumentException>().WithParameterName("classNames").WithMessage("*per class (4)*got 3*");
        Directory.GetFiles(dir.Path).Should().BeEmpty();
    }

    [Fact]
    public void ReadManifest_RivalWithClassNamesNotOnePerClass_RefusedNamingTheEntry()
    {
        using var dir = new TempDirectory();
        string path = dir.File("soe.bin");
        using (var model = SynergyOfExperts.ResNet20(experts: 2, numClasses: 4, depth: 8, width: 0.25))
        {
            SavedDefense.Save(model, path, Names);
        }

        var saved = ModelManifest.Read(ModelManifest.PathFor(path));
        File.WriteAllText(ModelManifest.PathFor(path), (saved with { ClassNames = ["cat", "dog", "fox"] }).For(File.ReadAllBytes(path)).ToJson());

        var act = () => SavedDefense.LoadSoe(path);

        act.Should().Throw<InvalidDataException>().WithMessage("*entry 'classNames'*one name per class (4)*");
    }
}
