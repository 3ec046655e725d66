using static TorchSharp.torch;

namespace Dwf.Robustness.Testing;

/// <summary>Synthetic, learnable image data: every class has a random prototype image; samples are noisy copies of it.</summary>
public static class SyntheticImages
{
    /// <summary>Float images [count,3,size,size] in [0,1] and int64 labels [count] (classes in turn: 0, 1, …).</summary>
    /// <param name="count">Images.</param>
    /// <param name="classes">Classes (≥ 2).</param>
    /// <param name="seed">Seed of the prototypes and the noise.</param>
    /// <param name="size">Height and width.</param>
    /// <param name="noise">Standard deviation of the Gaussian noise added to the prototypes.</param>
    public static (Tensor Images, Tensor Labels) Make(int count, int classes = 4, long seed = 0, int size = 8, double noise = 0.15)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        using var scope = NewDisposeScope();
        using var gen = new Generator((ulong)(seed + 1000));
        var prototypes = rand(new long[] { classes, 3, size, size }, generator: gen) * 0.6 + 0.2;
        var labels = arange(count, dtype: ScalarType.Int64) % classes;
        var images = (prototypes.index_select(0, labels) + noise * randn(new long[] { count, 3, size, size }, generator: gen)).clamp(0, 1);
        return (images.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }
}
