using Dwf.Robustness.Data;
using Dwf.Robustness.Tests.TestSupport;

namespace Dwf.Robustness.Tests.Data;

public class Cifar10ReaderTests
{
    private static void AssertMatches(ImageDataset data, IEnumerable<byte[]> members)
    {
        var records = members.SelectMany(m => m).ToArray();
        int n = records.Length / Cifar10Format.RecordSize;
        data.Count.Should().Be(n);
        data.Images.shape.Should().Equal(n, 3, 32, 32);
        var pixels = data.Images.data<byte>().ToArray();
        var labels = data.Labels.data<long>().ToArray();
        for (int r = 0; r < n; r++)
        {
            labels[r].Should().Be(records[r * Cifar10Format.RecordSize]);
            pixels.AsSpan(r * Cifar10Format.ImageSize, Cifar10Format.ImageSize).SequenceEqual(
                records.AsSpan(r * Cifar10Format.RecordSize + 1, Cifar10Format.ImageSize)).Should().BeTrue($"record {r} must round-trip");
        }

        data.ClassNames.Should().Equal(SyntheticCifar.ClassNames);
    }

    [Fact]
    public void LoadArchive_SyntheticArchive_RoundTripsPixelsLabelsAndOrder()
    {
        using var dir = new TempDirectory();
        var members = SyntheticCifar.Members();
        string path = SyntheticCifar.WriteArchive(dir.Path, members);

        using var train = Cifar10Reader.Load(path, Cifar10Split.Train);
        using var test = Cifar10Reader.Load(path, Cifar10Split.Test);

        AssertMatches(train, Enumerable.Range(1, 5).Select(b => members[$"data_batch_{b}.bin"]));
        AssertMatches(test, [members["test_batch.bin"]]);
    }

    [Fact]
    public void LoadFolder_ExtractedFolder_RoundTripsPixelsLabelsAndOrder()
    {
        using var dir = new TempDirectory();
        var members = SyntheticCifar.Members();
        SyntheticCifar.WriteFolder(dir.Path, members);

        using var fromParent = Cifar10Reader.Load(dir.Path, Cifar10Split.Train);
        using var fromFolder = Cifar10Reader.Load(Path.Combine(dir.Path, Cifar10Format.FolderName), Cifar10Split.Test);

        AssertMatches(fromParent, Enumerable.Range(1, 5).Select(b => members[$"data_batch_{b}.bin"]));
        AssertMatches(fromFolder, [members["test_batch.bin"]]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LoadTrainAndTest_ArchiveOrFolder_RoundTripsBothSplits(bool archive)
    {
        using var dir = new TempDirectory();
        var members = SyntheticCifar.Members();
        string path = archive ? SyntheticCifar.WriteArchive(dir.Path, members) : dir.Path;
        if (!archive)
        {
            SyntheticCifar.WriteFolder(dir.Path, members);
        }

        using var both = Cifar10Reader.LoadTrainAndTest(path);

        AssertMatches(both.Train, Enumerable.Range(1, 5).Select(b => members[$"data_batch_{b}.bin"]));
        AssertMatches(both.Test, [members["test_batch.bin"]]);
    }

    [Fact]
    public void LoadTrainAndTest_ArchiveWithoutTestBatch_ThrowsNamingTheMissingMember()
    {
        using var dir = new TempDirectory();
        var members = SyntheticCifar.Members();
        members.Remove("test_batch.bin");
        string path = SyntheticCifar.WriteArchive(dir.Path, members);

        var act = () => Cifar10Reader.LoadTrainAndTest(path);

        act.Should().Throw<InvalidDataException>().WithMessage("*test_batch.bin*");
    }

    [Fact]
    public void LoadTrainAndTest_MissingPath_ThrowsFileNotFoundSayingWhereAndHow()
    {
        var act = () => Cifar10Reader.LoadTrainAndTest("/nonexistent/cifar-10-binary.tar.gz");
        act.Should().Throw<FileNotFoundException>().WithMessage("*" + Cifar10Format.ArchiveUrl + "*");
    }

    [Fact]
    public void Load_MissingPath_ThrowsFileNotFoundSayingWhereAndHow()
    {
        var act = () => Cifar10Reader.Load("/nonexistent/cifar-10-binary.tar.gz", Cifar10Split.Train);
        act.Should().Throw<FileNotFoundException>()
            .WithMessage("*'/nonexistent/cifar-10-binary.tar.gz'*")
            .WithMessage("*" + Cifar10Format.ArchiveUrl + "*");
    }

    [Fact]
    public void LoadArchive_SizeNotMultipleOfRecord_ThrowsNamingMember()
    {
        using var dir = new TempDirectory();
        var members = SyntheticCifar.Members();
        members["data_batch_3.bin"] = members["data_batch_3.bin"][..^5];
        string path = SyntheticCifar.WriteArchive(dir.Path, members);

        var act = () => Cifar10Reader.Load(path, Cifar10Split.Train);
        act.Should().Throw<InvalidDataException>().WithMessage("*data_batch_3.bin*not a multiple of the record size 3073*");
    }

    [Fact]
    public void LoadFolder_LabelOutOfRange_ThrowsNamingFileAndRecord()
    {
        using var dir = new TempDirectory();
        var members = SyntheticCifar.Members();
        members["test_batch.bin"][4 * Cifar10Format.RecordSize] = 12;
        SyntheticCifar.WriteFolder(dir.Path, members);

        var act = () => Cifar10Reader.Load(dir.Path, Cifar10Split.Test);
        act.Should().Throw<InvalidDataException>().WithMessage("*test_batch.bin*record 4*label 12*");
    }

    [Fact]
    public void LoadArchive_MissingMember_ThrowsNamingIt()
    {
        using var dir = new TempDirectory();
        var members = SyntheticCifar.Members();
        members.Remove("data_batch_4.bin");
        string path = SyntheticCifar.WriteArchive(dir.Path, members);

        var act = () => Cifar10Reader.Load(path, Cifar10Split.Train);
        act.Should().Throw<InvalidDataException>().WithMessage("*lacks data_batch_4.bin*");
    }

    [Fact]
    public void LoadArchive_TruncatedGzip_ThrowsInvalidData()
    {
        using var dir = new TempDirectory();
        string path = SyntheticCifar.WriteArchive(dir.Path, SyntheticCifar.Members());
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var act = () => Cifar10Reader.Load(path, Cifar10Split.Train);
        act.Should().Throw<InvalidDataException>().WithMessage($"*{path}*");
    }

    [Fact]
    public void LoadArchive_CorruptGzip_ThrowsInvalidData()
    {
        using var dir = new TempDirectory();
        string path = SyntheticCifar.WriteArchive(dir.Path, SyntheticCifar.Members());
        var bytes = File.ReadAllBytes(path);
        for (int i = 100; i < 400; i++)
        {
            bytes[i] ^= 0x5A;
        }

        File.WriteAllBytes(path, bytes);

        var act = () => Cifar10Reader.Load(path, Cifar10Split.Train);
        act.Should().Throw<InvalidDataException>().WithMessage($"*{path}*");
    }

    [Cifar10Fact]
    public void Load_SharedCifar10_Has50000And10000RecordsBalancedByClass()
    {
        using var train = Cifar10Reader.Load(Cifar10FactAttribute.Path!, Cifar10Split.Train);
        using var test = Cifar10Reader.Load(Cifar10FactAttribute.Path!, Cifar10Split.Test);

        train.Count.Should().Be(50000);
        test.Count.Should().Be(10000);
        train.ClassCounts().Should().AllBeEquivalentTo(5000);
        test.ClassCounts().Should().AllBeEquivalentTo(1000);
        train.ClassNames.Should().Equal(SyntheticCifar.ClassNames);
    }
}
