using Dwf.Robustness.Data;
using static TorchSharp.torch;

namespace Downstream.App;

/// <summary>The team's own labelled images, here made up: four classes, each a fixed random 8×8 picture plus noise.
/// Any uint8 N×3×H×W tensor with int64 labels becomes a data set the library trains and evaluates on.</summary>
public static class ToyImages
{
    /// <summary>Classes.</summary>
    public const int Classes = 4;

    /// <summary><paramref name="count"/> images (classes in turn) whose noise comes from <paramref name="seed"/>; the
    /// class pictures are the same for every seed, so two seeds give a training and a test set.</summary>
    public static ImageDataset Make(int count, long seed)
    {
        using var scope = NewDisposeScope();
        using var pictureGenerator = new Generator(12345);
        using var noiseGenerator = new Generator((ulong)seed);
        var pictures = rand(new long[] { Classes, 3, 8, 8 }, generator: pictureGenerator) * 0.6 + 0.2;
        var labels = arange(count, dtype: ScalarType.Int64) % Classes;
        var images = (pictures.index_select(0, labels) + 0.15 * randn(new long[] { count, 3, 8, 8 }, generator: noiseGenerator)).clamp(0, 1);
        var bytes = (images * 255).round().to(ScalarType.Byte);
        return new ImageDataset(bytes, labels, ["disc", "ring", "bar", "cross"]);
    }
}
