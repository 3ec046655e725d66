using Dwf.Robustness.Data;
using Dwf.Robustness.Tests.TestSupport;

namespace Dwf.Robustness.Tests.Data;

public class BatchLoaderTests
{
    private static ImageDataset Synthetic()
    {
        using var dir = new TempDirectory();
        return Cifar10Reader.Load(SyntheticCifar.WriteArchive(dir.Path, SyntheticCifar.Members(perBatch: 20)), Cifar10Split.Train);
    }

    private static List<long> EpochLabels(BatchLoader loader, int epoch)
    {
        var labels = new List<long>();
        foreach (var batch in loader.Epoch(epoch))
        {
            using (batch)
            {
                labels.AddRange(batch.Labels.data<long>().ToArray());
            }
        }

        return labels;
    }

    [Fact]
    public void Epoch_NoAugmentNoShuffle_YieldsFloatImagesInUnitRangeInOrder()
    {
        using var data = Synthetic();
        var loader = new BatchLoader(data, new BatchLoaderOptions { BatchSize = 32, Shuffle = false, Augment = false });

        var batches = loader.Epoch(0).ToList();

        batches.Should().HaveCount(4); // 100 images: 32+32+32+4
        batches[^1].Size.Should().Be(4);
        batches[0].Images.dtype.Should().Be(TorchSharp.torch.ScalarType.Float32);
        var expected = data.Images[..32].to(TorchSharp.torch.ScalarType.Float32) / 255;
        batches[0].Images.allclose(expected).Should().BeTrue();
        foreach (var b in batches)
        {
            b.Dispose();
        }
    }

    [Fact]
    public void Epoch_DropLast_SkipsPartialBatch()
    {
        using var data = Synthetic();
        var loader = new BatchLoader(data, new BatchLoaderOptions { BatchSize = 32, DropLast = true });
        loader.BatchesPerEpoch.Should().Be(3);
        EpochLabels(loader, 0).Should().HaveCount(96);
    }

    [Fact]
    public void Epoch_Shuffle_ReshufflesEachEpochAndReplaysFromSeed()
    {
        using var data = Synthetic();
        var options = new BatchLoaderOptions { BatchSize = 16, Seed = 42 };
        var a = new BatchLoader(data, options);
        var b = new BatchLoader(data, options);

        var e0 = EpochLabels(a, 0);
        var e1 = EpochLabels(a, 1);

        e0.Should().BeEquivalentTo(data.Labels.data<long>().ToArray()); // a permutation of all labels
        e0.Should().NotEqual(e1);
        EpochLabels(b, 1).Should().Equal(e1);
    }

    [Fact]
    public void Epoch_SkipBatches_YieldsTheSameLaterBatches()
    {
        using var data = Synthetic();
        var loader = new BatchLoader(data, new BatchLoaderOptions { BatchSize = 16, Seed = 3 });

        var full = loader.Epoch(2).ToList();
        var skipped = loader.Epoch(2, skipBatches: 2).ToList();

        skipped.Should().HaveCount(full.Count - 2);
        skipped[0].Images.allclose(full[2].Images, 0, 0).Should().BeTrue();
        foreach (var batch in full.Concat(skipped))
        {
            batch.Dispose();
        }
    }

    [Fact]
    public void Epoch_FullPass_LeaksNoTensors()
    {
        using var data = Synthetic();
        var loader = new BatchLoader(data, new BatchLoaderOptions { BatchSize = 16 });
        LeakCheck.AssertNoLeak(() => EpochLabels(loader, 0));
    }

    [Fact]
    public void Constructor_ZeroBatchSize_ThrowsNamingOption()
    {
        using var data = Synthetic();
        var act = () => new BatchLoader(data, new BatchLoaderOptions { BatchSize = 0 });
        act.Should().Throw<ArgumentException>().WithParameterName("BatchSize");
    }
}
