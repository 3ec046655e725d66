using Dwf.Robustness.Data;
using static TorchSharp.torch;

namespace Dwf.Robustness.Testing;

/// <summary><see cref="SyntheticImages"/> as a labelled image set (uint8 storage, like CIFAR-10) and its loader.</summary>
public static class SyntheticDataset
{
    /// <summary>A labelled set of <paramref name="count"/> 3×8×8 images in <paramref name="classes"/> classes (c0, c1, …); the caller disposes it.</summary>
    /// <param name="count">Images.</param>
    /// <param name="classes">Classes.</param>
    /// <param name="seed">Seed.</param>
    public static ImageDataset Create(int count = 256, int classes = 4, long seed = 0)
    {
        using var scope = NewDisposeScope();
        var (images, labels) = SyntheticImages.Make(count, classes, seed);
        var bytes = (images * 255).round().to(ScalarType.Byte);
        return new ImageDataset(bytes, labels, Enumerable.Range(0, classes).Select(i => $"c{i}").ToArray());
    }

    /// <summary>A loader over <paramref name="data"/> without augmentation (8×8 images are too small to crop).</summary>
    /// <param name="data">The set.</param>
    /// <param name="batch">Batch size.</param>
    /// <param name="seed">Shuffle seed.</param>
    public static BatchLoader Loader(ImageDataset data, int batch = 32, long seed = 0) =>
        new(data, new BatchLoaderOptions { BatchSize = batch, Augment = false, Seed = seed });
}
