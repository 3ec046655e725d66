using Dwf.Cifar10.Data;

namespace Dwf.Cifar10.Tests.Data;

public class DataSourcesTests
{
    [Fact]
    public void Open_FolderWithTrainAndTest_ReadsItAsImageFolderAtTheConfiguredSize()
    {
        using var folder = new GeneratedImageFolder(classes: 2, train: 3, test: 2, size: 12);

        var source = DataSources.Open(folder.Root, imageSize: 8);

        source.Should().BeOfType<ImageFolderSource>().Which.Size.Should().Be(8);
        source.Name.Should().Be("shapes");
        source.ComparableToPaper.Should().BeFalse();
        using var test = source.Load(DataPart.Test, CancellationToken.None);
        test.Count.Should().Be(4);
        test.Images.shape.Should().Equal(4, 3, 8, 8);
        test.ClassNames.Should().Equal(folder.ClassNames);
    }

    [Fact]
    public void Open_Cifar10PathWithImageSizeOtherThan32_RefusedNamingTheSetting()
    {
        var act = () => DataSources.Open("/data/cifar-10-binary.tar.gz", imageSize: 64);

        act.Should().Throw<ArgumentException>().WithMessage("*ImageSize 64*CIFAR-10*32×32*");
        DataSources.Open("/data/cifar-10-binary.tar.gz", imageSize: null).Should().BeOfType<Cifar10Source>();
    }

    [Fact]
    public void Load_TestClassesDifferFromTraining_RefusedNamingBoth()
    {
        using var folder = new GeneratedImageFolder(classes: 3, train: 2, test: 2, size: 8);
        Directory.Delete(Path.Combine(folder.Root, "test", folder.ClassNames[1]), recursive: true);
        var source = DataSources.Open(folder.Root, imageSize: null);

        var act = () => source.Load(DataPart.Test, CancellationToken.None);

        act.Should().Throw<InvalidDataException>().WithMessage($"*test classes ({folder.ClassNames[0]}, {folder.ClassNames[2]})*training classes*");
    }

    [Fact]
    public void Normalization_ImageFolder_IsTheTrainingImagesStatisticsAndCifar10KeepsItsOwn()
    {
        using var folder = new GeneratedImageFolder(classes: 2, train: 4, test: 1, size: 8);
        var source = DataSources.Open(folder.Root, imageSize: null);
        using var train = source.Load(DataPart.Train, CancellationToken.None);

        var stats = source.Normalization(train);

        using var pixels = train.Images.to_type(TorchSharp.torch.ScalarType.Float64).div(255.0);
        for (int c = 0; c < 3; c++)
        {
            using var channel = pixels.select(1, c);
            stats.Mean[c].Should().BeApproximately(channel.mean().item<double>(), 1e-9);
            stats.Std[c].Should().BeApproximately(channel.std(unbiased: false).item<double>(), 1e-9);
        }

        stats.Mean.Should().NotEqual(Dwf.Robustness.Data.ChannelStatistics.Cifar10.Mean);
        new Cifar10Source("/any").Normalization(train).Should().BeSameAs(Dwf.Robustness.Data.ChannelStatistics.Cifar10);
    }
}
