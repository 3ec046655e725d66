using Dwf.Robustness.Experts;
using Dwf.Robustness.Infrastructure;
using Dwf.Robustness.Moe;
using Dwf.Robustness.Tests.TestSupport;
using Dwf.Robustness.Training;
using Dwf.Robustness.Persistence;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Persistence;

public class ModelFileTests
{
    [Fact]
    public void SaveLoad_Mixture_RoundTripGivesIdenticalOutputs()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        using var original = TinyMixture.Create(experts: 3, seed: 1);
        original.train();
        original.call(rand(8, 3, 8, 8)); // move BatchNorm statistics away from their initial values
        original.eval();
        string path = dir.File("moe.bin");

        ModelFile.Save(original, path);
        using var copy = TinyMixture.Create(experts: 3, seed: 99);
        copy.eval();
        ModelFile.Load(copy, path);

        var x = rand(4, 3, 8, 8);
        copy.call(x).equal(original.call(x)).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void SaveLoad_ResNetExpert_RoundTripIsExact()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        using var a = new ResNet18(10, 0.125);
        using var b = new ResNet18(10, 0.125);
        a.eval();
        b.eval();

        ModelFile.Save(a, dir.File("e.bin"));
        ModelFile.Load(b, dir.File("e.bin"));

        var x = rand(2, 3, 32, 32);
        b.call(x).equal(a.call(x)).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Load_MismatchedArchitecture_ThrowsListingNamesAndLeavesModelUnchanged()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        using var saved = new ResNet18(10, 0.125);
        ModelFile.Save(saved, dir.File("e.bin"));
        using var other = new ResNet18(10, 0.25);
        var before = other.state_dict()["conv1.weight"].clone();

        var act = () => ModelFile.Load(other, dir.File("e.bin"));

        act.Should().Throw<InvalidDataException>()
            .WithMessage("*'conv1.weight': file has Float32 [8,3,3,3], model has Float32 [16,3,3,3]*Nothing was loaded*");
        other.state_dict()["conv1.weight"].equal(before).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Load_MissingAndUnexpectedEntries_ListsBoth()
    {
        using var dir = new TempDirectory();
        using var small = TinyMixture.Create(experts: 2);
        ModelFile.Save(small, dir.File("m.bin"));
        using var large = TinyMixture.Create(experts: 3);

        var act = () => ModelFile.Load(large, dir.File("m.bin"));

        act.Should().Throw<InvalidDataException>().WithMessage("*missing 'experts.2.conv1.weight'*");
    }

    [Fact]
    public void Load_TruncatedFile_ThrowsInvalidData()
    {
        using var dir = new TempDirectory();
        using var model = new ResNet18(10, 0.125);
        ModelFile.Save(model, dir.File("e.bin"));
        var bytes = File.ReadAllBytes(dir.File("e.bin"));
        File.WriteAllBytes(dir.File("e.bin"), bytes[..(bytes.Length / 2)]);

        var act = () => ModelFile.Load(model, dir.File("e.bin"));

        act.Should().Throw<InvalidDataException>().WithMessage("*truncated*");
    }

    [Fact]
    public void Save_CrashMidWrite_LeavesPreviousFileIntact()
    {
        using var dir = new TempDirectory();
        string path = dir.File("e.bin");
        File.WriteAllText(path, "previous good checkpoint");

        var act = () => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[1000]);
            throw new IOException("disk full");
        });

        act.Should().Throw<IOException>();
        File.ReadAllText(path).Should().Be("previous good checkpoint");
        Directory.GetFiles(dir.Path).Should().ContainSingle("no temporary file is left behind");
    }
}
