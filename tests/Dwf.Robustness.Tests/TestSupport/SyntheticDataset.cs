using Dwf.Robustness.Data;
using static TorchSharp.torch;

namespace Dwf.Robustness.Tests.TestSupport;

/// <summary>Synthetic, learnable data as a <see cref="Cifar10Dataset"/> (uint8 storage) of 3×8×8 images.</summary>
internal static class SyntheticDataset
{
    public static Cifar10Dataset Create(int count = 256, int classes = 4, long seed = 0)
    {
        using var scope = NewDisposeScope();
        var (images, labels) = SyntheticImages.Make(count, classes, seed);
        var bytes = (images * 255).round().to(ScalarType.Byte);
        return new Cifar10Dataset(bytes, labels, Enumerable.Range(0, classes).Select(i => $"c{i}").ToArray());
    }

    public static BatchLoader Loader(Cifar10Dataset data, int batch = 32, long seed = 0) =>
        new(data, new BatchLoaderOptions { BatchSize = batch, Augment = false, Seed = seed });
}
