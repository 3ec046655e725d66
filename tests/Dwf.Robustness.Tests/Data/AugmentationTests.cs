using Dwf.Robustness.Data;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.Data;

public class AugmentationTests
{
    [Fact]
    public void RandomCropFlip_Batch_KeepsShapeAndRange()
    {
        using var scope = NewDisposeScope();
        var images = rand(16, 3, 32, 32);
        using var gen = new Generator(1);

        var result = Augmentation.RandomCropFlip(images, 4, gen);

        result.shape.Should().Equal(16, 3, 32, 32);
        result.min().item<float>().Should().BeGreaterThanOrEqualTo(0f);
        result.max().item<float>().Should().BeLessThanOrEqualTo(1f);
    }

    [Fact]
    public void RandomCropFlip_SameSeed_SameResult_OtherSeed_Differs()
    {
        using var scope = NewDisposeScope();
        var images = rand(16, 3, 32, 32);
        using var g1 = new Generator(7);
        using var g2 = new Generator(7);
        using var g3 = new Generator(8);

        var a = Augmentation.RandomCropFlip(images, 4, g1);
        var b = Augmentation.RandomCropFlip(images, 4, g2);
        var c = Augmentation.RandomCropFlip(images, 4, g3);

        a.allclose(b, 0, 0).Should().BeTrue();
        a.allclose(c, 0, 0).Should().BeFalse();
    }

    [Fact]
    public void RandomCropFlip_OnesImage_ZerosOnlyInABorderOfAtMostPadding()
    {
        using var scope = NewDisposeScope();
        var images = ones(64, 1, 32, 32);
        using var gen = new Generator(3);

        var result = Augmentation.RandomCropFlip(images, 4, gen);

        // The centre 24×24 always comes from the original image; some images must have been shifted.
        result[.., .., 4..28, 4..28].min().item<float>().Should().Be(1f);
        result.min().item<float>().Should().Be(0f);
        // Every image is still a translated window: its ones form one rectangle of at least 28×28.
        result.sum(new long[] { 1, 2, 3 }).min().item<float>().Should().BeGreaterThanOrEqualTo(28 * 28);
    }

    [Fact]
    public void RandomCropFlip_NoPadding_IsIdentityOrMirror()
    {
        using var scope = NewDisposeScope();
        var images = rand(32, 3, 8, 8);
        using var gen = new Generator(5);

        var result = Augmentation.RandomCropFlip(images, 0, gen);

        var same = (result - images).abs().amax(new long[] { 1, 2, 3 }) == 0;
        var mirrored = (result - images.flip(3)).abs().amax(new long[] { 1, 2, 3 }) == 0;
        (same | mirrored).all().item<bool>().Should().BeTrue();
        same.any().item<bool>().Should().BeTrue();
        mirrored.any().item<bool>().Should().BeTrue();
    }
}
