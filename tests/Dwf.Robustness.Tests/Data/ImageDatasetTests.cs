using Dwf.Robustness.Data;
using Dwf.Robustness.Tests.TestSupport;

namespace Dwf.Robustness.Tests.Data;

public class ImageDatasetTests
{
    private static ImageDataset Synthetic()
    {
        using var dir = new TempDirectory();
        return Cifar10Reader.Load(SyntheticCifar.WriteArchive(dir.Path, SyntheticCifar.Members(perBatch: 40)), Cifar10Split.Train);
    }

    [Theory]
    [InlineData(4L)]
    [InlineData(-1L)]
    public void Constructor_LabelOutsideClassNames_ThrowsNamingRange(long bad)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var images = TorchSharp.torch.zeros([3, 3, 2, 2], TorchSharp.torch.ScalarType.Byte);
        var labels = TorchSharp.torch.tensor(new long[] { 0, bad, 1 });

        var act = () => new ImageDataset(images, labels, ["a", "b", "c", "d"]);

        act.Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("*0–3*");
    }

    [Fact]
    public void TakePerClass_SkipPerClass_DisjointFromFirstAndStratified()
    {
        using var data = Synthetic();
        using var train = data.TakePerClass(3);
        using var validation = data.TakePerClass(2, skipPerClass: 3);

        validation.ClassCounts().Should().AllBeEquivalentTo(2);
        var all = data.Labels.data<long>().ToArray();
        // The validation images are, per class, the 4th and 5th of that class in the original order.
        var expected = new List<int>();
        var seen = new int[data.ClassNames.Count];
        for (int i = 0; i < all.Length; i++)
        {
            if (seen[all[i]]++ is 3 or 4)
            {
                expected.Add(i);
            }
        }

        using var picked = data.Images.index_select(0, TorchSharp.torch.tensor(expected.Select(i => (long)i).ToArray()));
        validation.Images.equal(picked).all().item<bool>().Should().BeTrue();
        train.Images[..1].equal(validation.Images[..1]).all().item<bool>().Should().BeFalse();
    }

    [Fact]
    public void TakePerClass_SkipBeyondClassSize_ThrowsNamingCounts()
    {
        using var data = Synthetic();
        int perClass = data.ClassCounts().Min();

        var act = () => data.TakePerClass(2, skipPerClass: perClass - 1);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage($"*{perClass - 1} skipped + 2*at most 1 per class*");
    }

    [Fact]
    public void TakePerClass_Three_GivesThreeOfEveryClassInOriginalOrder()
    {
        using var data = Synthetic();
        using var subset = data.TakePerClass(3);

        subset.ClassCounts().Should().AllBeEquivalentTo(3);
        var all = data.Labels.data<long>().ToArray();
        var firstThirty = subset.Labels.data<long>().ToArray();
        firstThirty[0].Should().Be(all[0]);
    }

    [Fact]
    public void TakePerClass_MoreThanAvailable_ThrowsNamingClass()
    {
        using var data = Synthetic();
        var act = () => data.TakePerClass(1000);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*has only*");
    }

    [Fact]
    public void Take_FirstN_CopiesPrefix()
    {
        using var data = Synthetic();
        using var subset = data.Take(7);
        subset.Count.Should().Be(7);
        subset.Labels.data<long>().ToArray().Should().Equal(data.Labels.data<long>().ToArray()[..7]);
    }
}
